package store_test

import (
	"fmt"
	"log"
	"os"

	"github.com/gitwalk/gitwalk/internal/store"
)

func Example() {
	dir, err := os.MkdirTemp("", "gitwalk-store")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := store.Open(dir, nil) // ErrBusy: run without it and say so
	if err != nil {
		log.Fatal(err)
	}
	key := store.Key{Settings: store.NewFingerprint("diff=myers", "renames=50%")}
	key.Commit[0] = 0xab // a commit id, and the parent it was diffed against
	if _, ok, _ := s.Get(key); !ok {
		s.Put(key, []byte("the commit's record")) // computed, then kept
	}
	rec, ok, err := s.Get(key)
	fmt.Printf("%s %v %v\n", rec, ok, err)
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	// Output: the commit's record true <nil>
}
