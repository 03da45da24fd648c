// Package pkgdoc holds a test that fails if any package in the module has no
// package doc comment or more than one. It has no code of its own.
package pkgdoc
