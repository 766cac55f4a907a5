package attributes

import "slices"

// macroTable is what decides a set of attributes, its targets (diff for
// Diff, the checked names for Checker): the macros whose expansion can
// reach a target (through other macros too), each with the states of its
// definition that can decide one (see relevant). The other macros decide
// nothing the caller asks, and are left out.
type macroTable struct {
	targets []string
	defs    map[string][]attrState
}

// builtinBinary is git's built-in macro "[attr]binary -diff -merge -text".
var builtinBinary = []attrState{{"diff", stateUnset}, {"merge", stateUnset}, {"text", stateUnset}}

// newMacroTable reads the macros the files define, lowest precedence
// first (the system's, the global, the top folder's .gitattributes,
// info/attributes): as git's determine_macros, the last definition read
// wins, and the built-in binary is below them all.
func newMacroTable(targets []string, files ...[]byte) *macroTable {
	all := map[string][]attrState{"binary": builtinBinary}
	for _, data := range files {
		for line := range lines(data) {
			if l, ok, _ := parseLine(line, true); ok && l.macro != "" {
				all[l.macro] = l.states
			}
		}
	}
	// The macros that reach a target: those naming one, then those naming
	// one of them, until none is added.
	m := &macroTable{targets: targets, defs: map[string][]attrState{}}
	for added := true; added; {
		added = false
		for name, states := range all {
			if _, ok := m.defs[name]; !ok && slices.ContainsFunc(states, m.decides) {
				m.defs[name], added = nil, true
			}
		}
	}
	for name := range m.defs {
		m.defs[name] = m.relevant(all[name])
	}
	return m
}

// decides says whether st names a target or a macro of the table.
func (m *macroTable) decides(st attrState) bool {
	_, macro := m.defs[st.name]
	return macro || slices.Contains(m.targets, st.name)
}

// relevant returns the states that name a target or a macro of the table
// (a state that gives a macro any value decides whether a lower rule may
// expand it), or nil when there are none.
func (m *macroTable) relevant(states []attrState) []attrState {
	var out []attrState
	for _, st := range states {
		if m.decides(st) {
			out = append(out, st)
		}
	}
	return out
}

// rules parses an attributes file whose folder is base into the rules
// that can decide a target; macroOK says whether it may define macros
// (whose lines are in the table already).
func (m *macroTable) rules(data []byte, base string, macroOK bool) []attrRule {
	var rules []attrRule
	for line := range lines(data) {
		l, ok, _ := parseLine(line, macroOK)
		if !ok || l.macro != "" {
			continue
		}
		if states := m.relevant(l.states); states != nil {
			rules = append(rules, attrRule{pattern: l.pattern, base: base, anchored: l.anchored, dirOnly: l.dirOnly, states: states})
		}
	}
	return rules
}

// filling is one path's decisions while its rules are filled in, as git's
// fill: rules from the highest precedence down, each line's states from
// its last, each attribute taking the first value it is given, and a
// macro given "set" then giving its own states (fill_one, macroexpand_one).
type filling struct {
	m       *macroTable
	fold    bool     // core.ignoreCase
	decided []string // every attribute given a value so far
	values  []string // the targets' values, stateUnspecified until given one
	left    int      // targets not given a value yet
}

func (m *macroTable) newFilling(fold bool) *filling {
	f := &filling{m: m, fold: fold, decided: make([]string, 0, 8), values: make([]string, len(m.targets)), left: len(m.targets)}
	for i := range f.values {
		f.values[i] = stateUnspecified
	}
	return f
}

// done says every target has its value.
func (f *filling) done() bool { return f.left == 0 }

// rules fills in the states of those of rules that match path, from the
// file's last line.
func (f *filling) rules(rules []attrRule, path string) {
	for i := len(rules) - 1; i >= 0 && f.left > 0; i-- {
		if rules[i].matches(path, f.fold) {
			f.fill(rules[i].states)
		}
	}
}

func (f *filling) fill(states []attrState) {
	for i := len(states) - 1; i >= 0 && f.left > 0; i-- {
		st := states[i]
		if slices.Contains(f.decided, st.name) {
			continue
		}
		f.decided = append(f.decided, st.name)
		if j := slices.Index(f.m.targets, st.name); j >= 0 {
			f.values[j] = st.value
			f.left--
		}
		if st.value == stateSet {
			if def, ok := f.m.defs[st.name]; ok {
				f.fill(def)
			}
		}
	}
}
