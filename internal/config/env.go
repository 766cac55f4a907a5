package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// envEntries returns the variables git takes from its environment after
// every file, as given on its command line (git_config_from_parameters):
// GIT_CONFIG_COUNT pairs of GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n>,
// then GIT_CONFIG_PARAMETERS, where `git -c key=value` puts them for the
// programs it runs ('key'='value' pairs, or old-style 'key=value', shell
// single-quoted, separated by blanks). A malformed one is an error, as
// git dies on it.
func envEntries() ([]entry, error) {
	var out []entry
	if count, ok := os.LookupEnv("GIT_CONFIG_COUNT"); ok {
		n, err := strconv.ParseUint(count, 10, 31)
		if err != nil && count != "" {
			return nil, fmt.Errorf("bogus count in GIT_CONFIG_COUNT: %q", count)
		}
		for i := range int(n) {
			key, ok := os.LookupEnv("GIT_CONFIG_KEY_" + strconv.Itoa(i))
			if !ok {
				return nil, fmt.Errorf("missing config key GIT_CONFIG_KEY_%d", i)
			}
			value, ok := os.LookupEnv("GIT_CONFIG_VALUE_" + strconv.Itoa(i))
			if !ok {
				return nil, fmt.Errorf("missing config value GIT_CONFIG_VALUE_%d", i)
			}
			e, err := parseKey(key)
			if err != nil {
				return nil, err
			}
			e.value = value
			out = append(out, e)
		}
	}
	if params := os.Getenv("GIT_CONFIG_PARAMETERS"); params != "" {
		more, err := parseParameters(params)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// parseKey reads a variable's full name as git_config_parse_key does: a
// section of key characters and a variable name starting with a letter,
// both lowercased, around a subsection kept as written (no newline).
func parseKey(key string) (entry, error) {
	if key == "" {
		return entry{}, fmt.Errorf("empty config key")
	}
	first, last := strings.IndexByte(key, '.'), strings.LastIndexByte(key, '.')
	if last < 0 || last == 0 {
		return entry{}, fmt.Errorf("key does not contain a section: %s", key)
	}
	if last == len(key)-1 {
		return entry{}, fmt.Errorf("key does not contain variable name: %s", key)
	}
	section, name := key[:first], key[last+1:]
	for i := 0; i < len(section); i++ {
		if !isKeyChar(section[i]) {
			return entry{}, fmt.Errorf("invalid key: %s", key)
		}
	}
	for i := 0; i < len(name); i++ {
		if !isKeyChar(name[i]) || i == 0 && !isAlpha(name[i]) {
			return entry{}, fmt.Errorf("invalid key: %s", key)
		}
	}
	var sub string
	if first < last {
		sub = key[first+1 : last]
		if strings.ContainsRune(sub, '\n') {
			return entry{}, fmt.Errorf("invalid key (newline): %s", key)
		}
	}
	return entry{section: strings.ToLower(section), subsection: sub, hasSub: first < last, key: strings.ToLower(name)}, nil
}

// parseParameters reads GIT_CONFIG_PARAMETERS (parse_config_env_list).
func parseParameters(s string) ([]entry, error) {
	bogus := fmt.Errorf("bogus format in GIT_CONFIG_PARAMETERS: %q", s)
	var out []entry
	for s != "" {
		key, rest, ok := sqDequoteStep(s)
		if !ok {
			return nil, bogus
		}
		var e entry
		switch {
		case rest == "" || isSpace(rest[0]):
			// Old style, 'key=value': the value after the first '=', none
			// without one (git_config_parse_parameter).
			k, v, hasValue := strings.Cut(key, "=")
			var err error
			if e, err = parseKey(strings.TrimSpace(k)); err != nil {
				return nil, err
			}
			e.value, e.noValue = v, !hasValue
		case rest[0] == '=':
			rest = rest[1:]
			var err error
			if e, err = parseKey(key); err != nil {
				return nil, err
			}
			switch {
			case rest != "" && rest[0] == '\'':
				v, after, ok := sqDequoteStep(rest)
				if !ok || after != "" && !isSpace(after[0]) {
					return nil, bogus
				}
				e.value, rest = v, after
			case rest == "" || isSpace(rest[0]):
				e.noValue = true // 'key'= : an implicit true
			default:
				return nil, bogus
			}
		default:
			return nil, bogus
		}
		out = append(out, e)
		s = strings.TrimLeft(rest, " \t\n\r")
	}
	return out, nil
}

// sqDequoteStep reads one shell single-quoted word at the start of s, with
// git's '\” and '\!' escapes between quoted parts (sq_dequote_step): the
// word, what follows it, and whether s started with one.
func sqDequoteStep(s string) (word, rest string, ok bool) {
	if s == "" || s[0] != '\'' {
		return "", "", false
	}
	var b strings.Builder
	i := 1
	for {
		if i >= len(s) {
			return "", "", false // unterminated
		}
		c := s[i]
		i++
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		// Out of the quotes: a backslashed ' or ! followed by a quote
		// goes on; anything else ends the word.
		if i+2 < len(s) && s[i] == '\\' && (s[i+1] == '\'' || s[i+1] == '!') && s[i+2] == '\'' {
			b.WriteByte(s[i+1])
			i += 3
			continue
		}
		return b.String(), s[i:], true
	}
}
