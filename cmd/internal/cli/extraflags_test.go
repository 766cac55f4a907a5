package cli

import (
	"reflect"
	"testing"
)

func TestTakeExtraFlagsTakesAFlagWithOnlyItsOneValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		rest []string
		took bool
	}{
		{"the value as the next word is taken", []string{"--format", "mailmap", "-n", "2"}, []string{"-n", "2"}, true},
		{"the value after = is taken", []string{"-n", "2", "--format=mailmap"}, []string{"-n", "2"}, true},
		{"another value is left for the shared flag", []string{"--format", "json"}, []string{"--format", "json"}, false},
		{"another value after = is left", []string{"--format=csv"}, []string{"--format=csv"}, false},
		{"no value at the end is left, for the shared flag's error", []string{"--format"}, []string{"--format"}, false},
		{"a path after -- is not a flag", []string{"--", "--format", "mailmap"}, []string{"--", "--format", "mailmap"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			took := false
			rest, err := takeExtraFlags(tc.args, []extraFlag{{name: "--format", hasValue: true, only: "mailmap", set: func(v string) error {
				if v != "mailmap" {
					t.Errorf("set(%q), want only mailmap", v)
				}
				took = true
				return nil
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rest, tc.rest) || took != tc.took {
				t.Errorf("takeExtraFlags(%q) = %q, took %v; want %q, took %v", tc.args, rest, took, tc.rest, tc.took)
			}
		})
	}
}
