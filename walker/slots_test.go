package walker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Walks of several repositories sharing one small budget give each
// repository's commits exactly as a walk of its own does.
func TestWalksSharingSlotsGiveTheirOwnResults(t *testing.T) {
	names := []string{"order", "content", "renames", "merges"}
	for _, n := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("%d slots", n), func(t *testing.T) {
			slots := NewSlots(n)
			repos := make([]*Repo, len(names))
			want := make([][]string, len(names))
			for i, name := range names {
				repos[i] = openFixture(t, name)
				want[i] = collect(t, repos[i], Options{Revisions: []string{"--all"}, Workers: 1})
			}
			got := make([][]string, len(names))
			var wg sync.WaitGroup
			for i := range repos {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					err := repos[i].Walk(context.Background(), Options{Revisions: []string{"--all"}, Workers: 4, Slots: slots},
						func(c *Commit) error {
							got[i] = append(got[i], commitLine(c))
							return nil
						})
					if err != nil {
						t.Errorf("%s: %v", names[i], err)
					}
				}(i)
			}
			wg.Wait()
			for i := range names {
				if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
					t.Errorf("%s with shared slots:\n%v\nwant\n%v", names[i], got[i], want[i])
				}
			}
			if len(slots.c) != 0 {
				t.Errorf("%d slots still held after the walks", len(slots.c))
			}
		})
	}
}

// A walk computes nothing while the whole budget is held elsewhere, and a
// cancelled context still ends it.
func TestWalkWaitsForASlotAndHonoursCancel(t *testing.T) {
	r := openFixture(t, "order")
	slots := NewSlots(1)
	if err := slots.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer slots.release()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	commits := 0
	err := r.Walk(ctx, Options{Revisions: []string{"--all"}, Workers: 2, Slots: slots}, func(c *Commit) error {
		commits++
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) || commits != 0 {
		t.Fatalf("walk with its budget taken returned %v after %d commits; want the context's error and none", err, commits)
	}
}

func commitLine(c *Commit) string {
	s := c.Hash.String()
	for _, ch := range c.Changes {
		s += fmt.Sprintf(" %s:+%d-%d:%v", ch.Path, ch.Added, ch.Deleted, ch.Binary)
	}
	return s
}
