package config

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse parses any text: never a panic, and what it accepts it reads
// the same again once written back in git's syntax (a section header per
// variable, the subsection and the value quoted with their escapes): the
// parser and git's quoting agree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[core]\n\tquotepath = false\n",
		"\xef\xbb\xbf[a \"b\\\"c\"] k = \"v ; # \" x\\n\\t\\b\\\\y # z\r\n",
		"[a.B]\nk\nk2 = one \\\ntwo\n",
		"k = before any section\n[x]\n",
		"[x]\n\tv = \"open",
		"[.0]A",
		"[ \"sub\"]\nk = v\n[.]\nk\n[a.]\nk\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		entries, err := parse([]byte(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad config line ") {
				t.Fatalf("error %q is not git's", err)
			}
			return
		}
		var b strings.Builder
		for i, e := range entries {
			if e.key == "" || !isAlpha(e.key[0]) || strings.ToLower(e.key) != e.key {
				t.Fatalf("entry %d: key %q", i, e.key)
			}
			if e.section == "" && !e.hasSub {
				if i > 0 && (entries[i-1].section != "" || entries[i-1].hasSub) {
					t.Fatalf("entry %d has no section after one that has", i)
				}
			} else {
				b.WriteString("[" + e.section)
				if e.hasSub {
					b.WriteString(` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(e.subsection) + `"`)
				}
				b.WriteString("]\n")
			}
			b.WriteString(e.key)
			if !e.noValue {
				b.WriteString(` = "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\b", `\b`).Replace(e.value) + `"`)
			}
			b.WriteString("\n")
		}
		again, err := parse([]byte(b.String()))
		if err != nil {
			t.Fatalf("written back as %q: %v", b.String(), err)
		}
		if len(entries) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, entries) {
			t.Fatalf("read %+v, written back as %q, read again %+v", entries, b.String(), again)
		}
	})
}

// FuzzParseParameters reads any GIT_CONFIG_PARAMETERS: never a panic or a
// loop, and each variable it accepts is one git_config_parse_key accepts.
func FuzzParseParameters(f *testing.F) {
	for _, s := range []string{
		`'core.quotepath'='false'`,
		`'a.b=c' 'x.it'\''s.k'='it'\''s' 'k.v'=`,
		`'core.quotepath`,
		`'a.b'x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := parseParameters(s)
		if err != nil {
			return
		}
		for _, e := range entries {
			// git_config_parse_key: a dot not first, a name after the
			// last one starting with a letter (the section may be empty:
			// "..a" is a variable to git).
			if e.key == "" || !isAlpha(e.key[0]) || e.section == "" && !e.hasSub {
				t.Fatalf("%q: variable %+v", s, e)
			}
		}
	})
}
