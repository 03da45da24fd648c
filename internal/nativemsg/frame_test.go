package nativemsg

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func frame(body string) []byte {
	b := make([]byte, 4, 4+len(body))
	binary.NativeEndian.PutUint32(b, uint32(len(body)))
	return append(b, body...)
}

func header(n uint32) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, n)
	return b
}

func TestReadFrame(t *testing.T) {
	big := strings.Repeat("x", MaxFrame+1)
	exact := strings.Repeat("y", MaxFrame)
	tests := []struct {
		name  string
		input []byte
		want  []string // frames read before the final error
		errs  []error  // one per read after the frames (too large) then final
	}{
		{"empty stream", nil, nil, []error{io.EOF}},
		{"one frame", frame(`{"id":1}`), []string{`{"id":1}`}, []error{io.EOF}},
		{"two frames", append(frame(`a`), frame(`bc`)...), []string{"a", "bc"}, []error{io.EOF}},
		{"empty frame", frame(""), []string{""}, []error{io.EOF}},
		{"exactly 1 MiB", frame(exact), []string{exact}, []error{io.EOF}},
		{"truncated header", []byte{1, 0}, nil, []error{io.ErrUnexpectedEOF}},
		{"truncated body", header(10)[:4:4], nil, []error{io.ErrUnexpectedEOF}},
		{"truncated body with some bytes", append(header(10), "abc"...), nil, []error{io.ErrUnexpectedEOF}},
		{"0xFFFFFFFF without body", header(0xFFFFFFFF), nil, []error{io.ErrUnexpectedEOF}},
		{"over 1 MiB then truncated", append(header(MaxFrame+10), "abc"...), nil, []error{io.ErrUnexpectedEOF}},
		{"over 1 MiB is skipped and the stream goes on", append(frame(big), frame(`{"id":2}`)...), nil, []error{ErrFrameTooLarge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := NewFrameReader(bytes.NewReader(tt.input))
			for i, want := range tt.want {
				got, err := fr.ReadFrame()
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if string(got) != want {
					t.Fatalf("frame %d: got %d bytes, want %d", i, len(got), len(want))
				}
			}
			for _, wantErr := range tt.errs {
				_, err := fr.ReadFrame()
				if !errors.Is(err, wantErr) {
					t.Fatalf("got error %v, want %v", err, wantErr)
				}
			}
		})
	}
}

func TestReadFrameAfterTooLarge(t *testing.T) {
	input := append(frame(strings.Repeat("z", 3*MaxFrame)), frame(`{"id":2}`)...)
	fr := NewFrameReader(bytes.NewReader(input))
	if _, err := fr.ReadFrame(); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("first read: %v, want ErrFrameTooLarge", err)
	}
	got, err := fr.ReadFrame()
	if err != nil || string(got) != `{"id":2}` {
		t.Fatalf("second read: %q, %v", got, err)
	}
	if cap(fr.buf) > 64 {
		t.Fatalf("reader buffered %d bytes for a skipped frame", cap(fr.buf))
	}
}

func TestWriteFrame(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		wantErr error
	}{
		{"small", 10, nil},
		{"exactly 1 MiB", MaxFrame, nil},
		{"over 1 MiB", MaxFrame + 1, ErrFrameTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteFrame(&buf, bytes.Repeat([]byte("a"), tt.size))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if buf.Len() != 0 {
					t.Fatalf("wrote %d bytes of a refused frame", buf.Len())
				}
				return
			}
			if buf.Len() != 4+tt.size || binary.NativeEndian.Uint32(buf.Bytes()) != uint32(tt.size) {
				t.Fatalf("bad frame: %d bytes, header %d", buf.Len(), binary.NativeEndian.Uint32(buf.Bytes()))
			}
		})
	}
}

// FuzzReadFrame checks that any byte stream is read without a panic, without
// buffering more than MaxFrame, and ends with EOF-like errors only.
func FuzzReadFrame(f *testing.F) {
	f.Add(frame(`{"id":1,"type":"hello","protocol":1}`))
	f.Add(header(0xFFFFFFFF))
	f.Add(append(header(MaxFrame+1), "abc"...))
	f.Add(append(frame("a"), 1, 2))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFrameReader(bytes.NewReader(data))
		consumed := 0
		for i := 0; ; i++ {
			msg, err := fr.ReadFrame()
			if err == nil {
				consumed += 4 + len(msg)
				if len(msg) > MaxFrame {
					t.Fatalf("frame of %d bytes", len(msg))
				}
				continue
			}
			if errors.Is(err, ErrFrameTooLarge) {
				continue
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error %v", err)
			}
			if errors.Is(err, io.EOF) && consumed > len(data) {
				t.Fatalf("consumed %d of %d bytes", consumed, len(data))
			}
			if cap(fr.buf) > 2*(len(data)+readChunk) {
				t.Fatalf("buffer of %d bytes for %d bytes of input", cap(fr.buf), len(data))
			}
			return
		}
	})
}

// FuzzParse checks that any frame body gets a well-formed envelope or a
// well-formed error reply.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"type":"hello","protocol":1}`,
		`{"id":"a","type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`,
		`[]`, `"x"`, `{"id":true}`, `{"id":1,"type":5}`, "\xff\xfe", `{`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		id, _, errFrame := parse(msg)
		if errFrame == nil {
			if !validID(id) {
				t.Fatalf("accepted id %q", id)
			}
			return
		}
		var r reply
		if err := jsonUnmarshal(errFrame, &r); err != nil || r.OK || r.Error == nil || r.Error.Code == "" {
			t.Fatalf("bad error reply %s (%v)", errFrame, err)
		}
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
