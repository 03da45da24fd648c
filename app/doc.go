// Package app holds the dashboard's Go side: the services the Wails
// frontend calls (Dashboard), the tray (Tray) and the launcher that starts the
// daemon when it is not running. It reaches the daemon only through the local
// API client; it never opens the database.
package app
