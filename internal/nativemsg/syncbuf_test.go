package nativemsg_test

import (
	"bytes"
	"sync"
	"testing"
)

// syncBuffer collects replies and signals each write, so a test can wait
// for a reply without sleeping.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes chan struct{}
	once   sync.Once
}

func (b *syncBuffer) init() { b.once.Do(func() { b.writes = make(chan struct{}, 1024) }) }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.init()
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	b.writes <- struct{}{}
	return n, err
}

// waitFrames waits for one more reply (the writer writes a frame at once).
func (b *syncBuffer) waitFrames(t *testing.T) {
	t.Helper()
	b.init()
	<-b.writes
}
