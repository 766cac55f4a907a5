package cli

import (
	"bytes"
	"context"
	"testing"
)

// A root command made with only the subcommand the command line names
// behaves as the one made with them all: the same help, the same usage
// errors, for every subcommand.
func TestRootWithOneSubcommandAnswersAsWithAll(t *testing.T) {
	run := func(lazy bool, args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		ios := &iostreams{out: &out, errOut: &errb}
		root := newRootCmd(context.Background(), ios, nil)
		if lazy {
			root = newRootCmdFor(context.Background(), ios, nil, args[0])
		}
		root.SetArgs(args)
		err := root.Execute()
		return out.String(), errb.String(), err
	}
	subs := subcommands(&iostreams{}, nil)
	if len(subs) != len(newRootCmd(context.Background(), &iostreams{}, nil).Commands()) {
		t.Fatalf("%d subcommands listed, the root has %d", len(subs), len(newRootCmd(context.Background(), &iostreams{}, nil).Commands()))
	}
	for _, sub := range subs {
		for _, args := range [][]string{{sub.name, "--help"}, {sub.name, "--no-such-flag"}, {sub.name, "a", "b", "c", "d"}} {
			if sub.name != "version" && args[1] != "--help" {
				continue // the others read a repository
			}
			o1, e1, err1 := run(false, args...)
			o2, e2, err2 := run(true, args...)
			if o1 != o2 || e1 != e2 || (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
				t.Errorf("%q: with all subcommands %q %q %v; with one %q %q %v", args, o1, e1, err1, o2, e2, err2)
			}
			if args[1] == "--help" && !bytes.Contains([]byte(o1), []byte(sub.name)) {
				t.Errorf("%q: the help does not name %s: %q", args, sub.name, o1)
			}
		}
	}
	// A name that is not a subcommand gets them all (help, a typo).
	if n := len(newRootCmdFor(context.Background(), &iostreams{}, nil, "chrun").Commands()); n != len(subs) {
		t.Errorf("a typo: %d subcommands, want %d", n, len(subs))
	}
}
