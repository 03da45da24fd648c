package localdb

import (
	"context"
	"database/sql"
)

// prepared returns the statement for q, preparing it once per store. SQLite
// parses a statement in about as long as it takes to run a small one, so
// the hot paths of a durable write (read the session, bump change_seq,
// upsert the row and daily_stats) reuse their prepared statements.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if s, ok := db.stmts[q]; ok {
		return s, nil
	}
	s, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[q] = s
	return s, nil
}

func (db *DB) closeStmts() {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = nil
}

// The Tx methods below make Tx a querier and an execer that run cached
// statements inside the transaction (database/sql closes the transaction's
// copies when it ends).

// ExecContext runs q in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := tx.db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
}

// QueryContext runs q in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := tx.db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

// QueryRowContext runs q in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	s, err := tx.db.prepared(ctx, q)
	if err != nil {
		// Let the error surface from Scan, like database/sql does.
		return tx.tx.QueryRowContext(ctx, q, args...)
	}
	return tx.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
}
