package diff

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseAlgorithm(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    Algorithm
		wantErr error
	}{
		{"myers is the default algorithm", "myers", Myers, nil},
		{"default names Myers", "default", Myers, nil},
		{"names are case-insensitive", "Minimal", Minimal, nil},
		{"minimal is Myers without heuristics", "minimal", Minimal, nil},
		{"patience is not supported", "patience", Myers, ErrUnsupported},
		{"histogram is not supported", "histogram", Myers, ErrUnsupported},
		{"an unknown name is an error", "fastest", Myers, ErrUnknownAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAlgorithm(tc.in)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("ParseAlgorithm(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			if err != nil && !bytes.Contains([]byte(err.Error()), []byte(tc.in)) {
				t.Errorf("error %q does not name %q", err, tc.in)
			}
			if err == nil && got != tc.want {
				t.Errorf("ParseAlgorithm(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestIsBinary(t *testing.T) {
	text := bytes.Repeat([]byte("x"), 9000)
	at := func(i int) []byte {
		b := bytes.Clone(text)
		b[i] = 0
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"text is not binary", text, false},
		{"an empty file is not binary", nil, false},
		{"a NUL at offset 0 is binary", at(0), true},
		{"a NUL at offset 7999 is binary", at(7999), true},
		{"a NUL at offset 8000 is not looked at", at(8000), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsBinary(tc.data); got != tc.want {
				t.Errorf("IsBinary = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCountRejectsBadArguments(t *testing.T) {
	if _, err := Count(nil, nil, []byte("a\n"), Algorithm(9)); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("Count with Algorithm(9): err = %v, want ErrUnknownAlgorithm", err)
	}
	big := make([]byte, maxInput+1)
	if _, err := Count(nil, big, nil, Myers); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Count of %d bytes: err = %v, want ErrTooLarge", len(big), err)
	}
}
