// Package nativemsg implements Chrome native messaging for worktime: the
// length-prefixed framing on stdin/stdout and protocol v1, whose requests are
// answered by a Backend (the daemon over the local API, or the store directly
// when the daemon is not running). It also recognises the command line a
// browser starts the host with and checks that the caller may use it.
package nativemsg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxFrame is the largest message either side accepts: Chrome drops the
// port on a host→browser message over 1 MiB, and worktime's requests are tiny,
// so anything bigger from the browser is skipped and answered too_large.
const MaxFrame = 1 << 20

// ErrFrameTooLarge is returned by ReadFrame for a frame whose length is over
// MaxFrame; the frame's body has been discarded and the stream is usable.
// Returned by WriteFrame for a reply that must not be sent.
var ErrFrameTooLarge = errors.New("frame larger than 1 MiB")

// FrameReader reads length-prefixed messages. The length is a 32-bit
// unsigned integer in the machine's native byte order.
type FrameReader struct {
	r   io.Reader
	buf []byte // reused between frames; never larger than MaxFrame
}

// NewFrameReader reads frames from r. It reads ahead (a frame's length and
// body usually arrive in one read), so r belongs to it.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, readAhead)}
}

// readAhead is the FrameReader's buffer: a browser's message, length and
// body, is read in one system call when it fits.
const readAhead = 4 << 10

// ReadFrame returns the next message. The returned slice is valid until the
// next call. It returns io.EOF at a clean end of the stream and
// io.ErrUnexpectedEOF when the stream ends inside a frame (a truncated length
// or body, including a huge length with no body behind it); both mean the
// browser closed the port. A frame over MaxFrame is skipped without being
// buffered and reported as ErrFrameTooLarge.
func (fr *FrameReader) ReadFrame() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		return nil, err // io.EOF or io.ErrUnexpectedEOF
	}
	n := binary.NativeEndian.Uint32(hdr[:])
	if n > MaxFrame {
		// Never allocate from an untrusted length: drain the body.
		copied, err := io.CopyN(io.Discard, fr.r, int64(n))
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("nativemsg: skip %d-byte frame after %d bytes: %w", n, copied, err)
		}
		return nil, fmt.Errorf("nativemsg: %d-byte frame: %w", n, ErrFrameTooLarge)
	}
	// The buffer grows with the bytes that actually arrive, not with what the
	// header claims, so a lying header costs nothing.
	b := fr.buf[:0]
	for len(b) < int(n) {
		chunk := min(int(n)-len(b), readChunk)
		if cap(b)-len(b) < chunk {
			b = append(b, make([]byte, chunk)...)[:len(b)]
		}
		got, err := io.ReadFull(fr.r, b[len(b):len(b)+chunk])
		b = b[:len(b)+got]
		if err != nil {
			fr.buf = b
			if errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	fr.buf = b
	return b, nil
}

// readChunk is how much the reader reads (and may allocate) at a time.
const readChunk = 64 << 10

// WriteFrame writes one message with its length prefix in a single write,
// refusing messages over MaxFrame.
func WriteFrame(w io.Writer, msg []byte) error {
	if len(msg) > MaxFrame {
		return fmt.Errorf("nativemsg: write %d-byte frame: %w", len(msg), ErrFrameTooLarge)
	}
	out := make([]byte, 4+len(msg))
	binary.NativeEndian.PutUint32(out, uint32(len(msg)))
	copy(out[4:], msg)
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("nativemsg: write frame: %w", err)
	}
	return nil
}
