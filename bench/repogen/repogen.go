// Package repogen writes a large, deterministic git repository for
// gitwalk's benchmarks: a history of many commits over many files with edit
// sizes like a real project's (mostly small hunks in a few files, some
// rewrites, files growing, a few binary files, merged topic branches). The
// same Config always gives the same commit ids. It is tooling for bench/ and
// the walker benchmarks, not part of gitwalk's API.
package repogen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Config says what to generate. The zero value of a field means its default.
type Config struct {
	Commits int    // commits in all, merges included (default 20000)
	Files   int    // file slots; all exist by the end of the history (default 2000)
	Seed    uint64 // the generator's seed (default 1)
}

func (c Config) withDefaults() Config {
	if c.Commits <= 0 {
		c.Commits = 20000
	}
	if c.Files <= 0 {
		c.Files = 2000
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Key names a Config for caching, such as "c20000-f2000-s1-v1"; it changes
// when the generator's output would.
func (c Config) Key() string {
	c = c.withDefaults()
	return fmt.Sprintf("c%d-f%d-s%d-v%d", c.Commits, c.Files, c.Seed, version)
}

// version is bumped whenever the same Config would give another history.
const version = 1

// ErrNoGit is returned by Generate when no git executable is on the PATH.
var ErrNoGit = errors.New("repogen: git not found on PATH")

// Generate writes the repository for cfg as a bare repository at dir, which
// must not exist or be empty: git fast-import from a generated stream, then
// `git repack -adf` so that it is packed like a clone. Git runs with no user
// or system config. Progress goes to log when it is not nil.
func Generate(dir string, cfg Config, log io.Writer) error {
	cfg = cfg.withDefaults()
	if _, err := exec.LookPath("git"); err != nil {
		return ErrNoGit
	}
	if log == nil {
		log = io.Discard
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("repogen: %s exists and is not empty", dir)
	}
	home, err := os.MkdirTemp("", "repogen-home")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	env := gitEnv(home)
	git := func(stdin io.Reader, args ...string) error {
		cmd := exec.Command("git", args...)
		cmd.Env = env
		cmd.Stdin = stdin
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("repogen: git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	if err := git(nil, "init", "-q", "--bare", "--initial-branch=main", dir); err != nil {
		return err
	}

	fmt.Fprintf(log, "repogen: fast-import of %d commits over %d files\n", cfg.Commits, cfg.Files)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- git(pr, "-C", dir, "fast-import", "--quiet", "--done") }()
	w := bufio.NewWriterSize(pw, 1<<20)
	g := newGen(cfg, w)
	genErr := g.run()
	if genErr == nil {
		genErr = w.Flush()
	}
	pw.CloseWithError(genErr)
	if err := <-done; err != nil {
		return err
	}
	if genErr != nil {
		return genErr
	}
	fmt.Fprintf(log, "repogen: repack -adf\n")
	if err := git(nil, "-C", dir, "repack", "-adf", "-q"); err != nil {
		return err
	}
	return git(nil, "-C", dir, "pack-refs", "--all")
}

// gitEnv is the environment without the caller's GIT_* variables, with an
// empty home and no system config, so that nothing but cfg shapes the result.
func gitEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") || strings.HasPrefix(kv, "GLIBC_TUNABLES=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C")
	// fast-import mallocs and frees a buffer per blob, and glibc gives the
	// top of the heap back each time: strace showed 145,000 brk calls and
	// four fifths of its time in the kernel. Keeping the top padded made
	// fast-import five times faster (13 s to 2.6 s for 5,000 commits).
	// Other C libraries ignore the variable.
	return append(env, "GLIBC_TUNABLES=glibc.malloc.top_pad=67108864:glibc.malloc.trim_threshold=268435456")
}

// rng is splitmix64: tiny, and fixed here so that the output never depends
// on a library's choice of algorithm.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int         { return int(r.next() % uint64(n)) }
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }
func (r *rng) chance(p float64) bool  { return float64(r.next()>>11)/(1<<53) < p }
func (r *rng) float() float64         { return float64(r.next()>>11) / (1 << 53) }

type file struct {
	path   string
	mode   string // "100644" or "100755"
	binary bool
	alive  bool
	lines  []string // text content
	data   []byte   // binary content
}

func (f *file) content() []byte {
	if f.binary {
		return f.data
	}
	n := 0
	for _, l := range f.lines {
		n += len(l) + 1
	}
	b := make([]byte, 0, n)
	for _, l := range f.lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	return b
}

func (f *file) clone() *file {
	c := *f
	c.lines = append([]string(nil), f.lines...)
	c.data = append([]byte(nil), f.data...)
	return &c
}

type author struct{ name, email, zone string }

var authors = []author{
	{"Ada Lovelace", "ada@example.org", "+0000"}, {"Alan Turing", "alan@example.org", "+0100"},
	{"Grace Hopper", "grace@example.com", "-0500"}, {"Ken Thompson", "ken@example.com", "-0800"},
	{"Barbara Liskov", "barbara@example.edu", "-0500"}, {"Edsger Dijkstra", "edsger@example.nl", "+0200"},
	{"Frances Allen", "fran@example.com", "-0400"}, {"Donald Knuth", "knuth@example.edu", "-0800"},
	{"Margaret Hamilton", "margaret@example.com", "-0400"}, {"Dennis Ritchie", "dmr@example.com", "-0500"},
	{"Radia Perlman", "radia@example.net", "-0700"}, {"Linus Torvalds", "linus@example.org", "-0700"},
	{"Junio Hamano", "junio@example.org", "-0800"}, {"Sophie Wilson", "sophie@example.co.uk", "+0000"},
	{"Łukasz Müller", "lukasz@example.pl", "+0200"}, {"Yukihiro Matsumoto", "matz@example.jp", "+0900"},
}

var words = strings.Fields(`buf err ctx n i j key val node tree blob data line size off len cap
	count total next prev head tail list map set cache entry item name path mode hash id ref
	reader writer walker arena pool state result config opts flags stats index table
	parse read write close open flush reset alloc free copy merge split join sort find`)

var funcs = strings.Fields(`Read Write Parse Close Open Flush Reset Alloc Copy Merge Split Join Sort Find
	Lookup Insert Delete Update Walk Next Len Get Put Add Remove Check Validate Encode Decode`)

type gen struct {
	cfg   Config
	r     rng
	w     *bufio.Writer
	files []*file
	mark  int
	now   int64
	tip   int // mark of main's tip
	nfile int // slots made alive so far
}

func newGen(cfg Config, w *bufio.Writer) *gen {
	return &gen{cfg: cfg, r: rng{s: cfg.Seed}, w: w, now: 1400000000}
}

var (
	tops = []string{"cmd", "internal", "pkg", "lib", "docs", "scripts", "test", "assets", "src", "tools"}
	subs = []string{"core", "net", "store", "util", "codec", "http", "index", "query", "auth", "sync", "fs", "log"}
	odd  = []string{"docs/naïve notes.md", "docs/with space.txt", "docs/quote\"d.txt", "src/tab\there.c", "docs/résumé.md"}
)

func (g *gen) newFile(slot int) *file {
	r := &g.r
	f := &file{mode: "100644"}
	switch {
	case slot < len(odd) && slot*400 < g.cfg.Files:
		f.path = odd[slot]
	case slot%211 == 7:
		f.path = fmt.Sprintf("assets/img%04d.bin", slot)
		f.binary = true
	case slot%53 == 5:
		f.path = fmt.Sprintf("scripts/run%04d.sh", slot)
		f.mode = "100755"
	default:
		top := tops[slot%len(tops)]
		depth := slot % 3
		p := top
		for d := 0; d < depth; d++ {
			p += "/" + subs[(slot/(d+3)+d)%len(subs)]
		}
		ext := []string{"go", "c", "h", "md", "txt", "py"}[slot%6]
		f.path = fmt.Sprintf("%s/file%04d.%s", p, slot, ext)
	}
	if f.binary {
		f.data = g.binaryData()
	} else {
		n := r.between(5, 150)
		for i := 0; i < n; i++ {
			f.lines = append(f.lines, g.line())
		}
	}
	f.alive = true
	return f
}

func (g *gen) binaryData() []byte {
	b := make([]byte, g.r.between(512, 16<<10))
	for i := range b {
		if g.r.intn(8) == 0 {
			b[i] = 0
		} else {
			b[i] = byte(g.r.next())
		}
	}
	return b
}

// line makes one line of code-like text, with the repeats real code has
// (blank lines, braces) so that the line diff meets equal lines.
func (g *gen) line() string {
	r := &g.r
	switch r.intn(12) {
	case 0:
		return ""
	case 1:
		return strings.Repeat("\t", r.intn(3)) + "}"
	case 2:
		return "\treturn " + words[r.intn(len(words))]
	}
	ind := strings.Repeat("\t", r.between(1, 3))
	a, b, c := words[r.intn(len(words))], words[r.intn(len(words))], words[r.intn(len(words))]
	switch r.intn(4) {
	case 0:
		return ind + a + " := " + b + "." + funcs[r.intn(len(funcs))] + "(" + c + ", " + strconv.Itoa(r.intn(1000)) + ")"
	case 1:
		return ind + "if " + a + " != nil {"
	case 2:
		return ind + "// " + a + " " + b + " " + c + " " + words[r.intn(len(words))]
	}
	return ind + a + "." + b + " = " + c + strconv.Itoa(r.intn(100))
}

// edit changes a file as a commit would: usually a few small hunks that add
// a little more than they remove, sometimes a rewrite of much of it.
func (g *gen) edit(f *file) {
	r := &g.r
	if f.binary {
		f.data = g.binaryData()
		return
	}
	if r.chance(0.03) || len(f.lines) == 0 {
		keep := int(float64(len(f.lines)) * r.float() * 0.7)
		f.lines = f.lines[:keep]
		for n := r.between(10, 200); n > 0; n-- {
			f.lines = append(f.lines, g.line())
		}
		return
	}
	for h := r.between(1, 3); h > 0; h-- {
		at := r.intn(len(f.lines) + 1)
		del := min(r.intn(5), len(f.lines)-at)
		ins := r.intn(7)
		if r.chance(0.05) {
			ins += r.between(10, 60)
		}
		add := make([]string, ins)
		for i := range add {
			add[i] = g.line()
		}
		f.lines = append(f.lines[:at], append(add, f.lines[at+del:]...)...)
	}
}

// pick chooses a live file, favouring low slots: a few files are hot.
func (g *gen) pick(ok func(int) bool) int {
	for {
		u := g.r.float()
		s := int(u * u * float64(g.nfile))
		if g.files[s].alive && ok(s) {
			return s
		}
	}
}

func (g *gen) run() error {
	cfg := g.cfg
	g.files = make([]*file, cfg.Files)
	initial := max(1, min(cfg.Files, cfg.Files/10+1))
	var topic map[int]*file // the open topic branch's files, by slot
	topicLeft, topicTip := 0, 0
	inTopic := func(s int) bool { return s%7 == 3 }
	all := func(int) bool { return true }

	for c := 0; c < cfg.Commits; c++ {
		g.now += int64(g.r.between(60, 4*3600))
		var changed []int
		var deleted []string
		onTopic := false
		merge := 0

		switch {
		case c == 0:
			for s := 0; s < initial; s++ {
				g.files[s] = g.newFile(s)
				changed = append(changed, s)
			}
			g.nfile = initial
		case topic != nil && topicLeft == 0:
			// Merge the topic: main never touched its files meanwhile.
			merge = topicTip
			for s, f := range topic {
				g.files[s] = f
				changed = append(changed, s)
			}
			topic = nil
		case topic != nil && g.r.chance(0.5):
			onTopic = true
			topicLeft--
			for n := g.r.between(1, 3); n > 0; n-- {
				s := g.pick(inTopic)
				f, ok := topic[s]
				if !ok {
					f = g.files[s].clone()
					topic[s] = f
				}
				g.edit(f)
				changed = append(changed, s)
			}
		default:
			ok := all
			if topic != nil {
				ok = func(s int) bool { return !inTopic(s) }
			}
			// Files appear at a steady pace until every slot is used.
			want := initial + (cfg.Files-initial)*c/cfg.Commits
			for topic == nil && g.nfile < want {
				g.files[g.nfile] = g.newFile(g.nfile)
				changed = append(changed, g.nfile)
				g.nfile++
			}
			n := 1 + int(g.r.float()*g.r.float()*5)
			if g.r.chance(0.02) {
				n = g.r.between(10, 40)
			}
			for ; n > 0; n-- {
				s := g.pick(ok)
				f := g.files[s]
				switch {
				case topic == nil && g.r.chance(0.004) && s >= len(odd):
					// Deleted, and back later as a new file.
					deleted = append(deleted, f.path)
					f.alive = false
					g.files[s] = g.newFile(s)
					g.files[s].alive = false
				case g.r.chance(0.003) && !f.binary:
					if f.mode == "100644" {
						f.mode = "100755"
					} else {
						f.mode = "100644"
					}
				default:
					g.edit(f)
				}
				changed = append(changed, s)
			}
			// Revive deleted files now and then.
			if topic == nil && g.r.chance(0.01) {
				for s := 0; s < g.nfile; s++ {
					if !g.files[s].alive {
						g.files[s].alive = true
						changed = append(changed, s)
						break
					}
				}
			}
			if topic == nil && g.nfile > 14 && c > 10 && c+15 < cfg.Commits && g.r.chance(0.02) {
				topic = map[int]*file{}
				topicLeft = g.r.between(2, 6)
				topicTip = 0
			}
		}

		a := authors[g.r.intn(len(authors))]
		g.mark++
		ref := "refs/heads/main"
		if onTopic {
			ref = "refs/heads/topic"
		}
		fmt.Fprintf(g.w, "commit %s\nmark :%d\n", ref, g.mark)
		fmt.Fprintf(g.w, "author %s <%s> %d %s\n", a.name, a.email, g.now, a.zone)
		fmt.Fprintf(g.w, "committer %s <%s> %d %s\n", a.name, a.email, g.now+int64(g.r.intn(600)), a.zone)
		msg := fmt.Sprintf("%s %s in %s\n", funcs[g.r.intn(len(funcs))], words[g.r.intn(len(words))], words[g.r.intn(len(words))])
		if g.r.chance(0.3) {
			msg += "\nThe " + words[g.r.intn(len(words))] + " was wrong when " + words[g.r.intn(len(words))] + " was empty.\n"
		}
		if merge != 0 {
			msg = "Merge branch 'topic'\n"
		}
		fmt.Fprintf(g.w, "data %d\n%s", len(msg), msg)
		switch {
		case onTopic && topicTip == 0:
			fmt.Fprintf(g.w, "from :%d\n", g.tip)
		case merge != 0:
			fmt.Fprintf(g.w, "merge :%d\n", merge)
		}
		for _, p := range deleted {
			fmt.Fprintf(g.w, "D %s\n", quote(p))
		}
		seen := map[int]bool{}
		for _, s := range changed {
			if seen[s] {
				continue
			}
			seen[s] = true
			f := g.files[s]
			if onTopic {
				f = topic[s]
			}
			if !f.alive {
				continue
			}
			data := f.content()
			fmt.Fprintf(g.w, "M %s inline %s\ndata %d\n", f.mode, quote(f.path), len(data))
			g.w.Write(data)
			g.w.WriteByte('\n')
		}
		g.w.WriteByte('\n')
		if onTopic {
			topicTip = g.mark
		} else {
			g.tip = g.mark
		}
	}
	_, err := g.w.WriteString("done\n")
	return err
}

// quote writes a path as fast-import reads it: C-style quoted when it holds
// a quote, a control character or starts with one.
func quote(p string) string {
	if strings.ContainsAny(p, "\"\\\n\t") || strings.HasPrefix(p, " ") {
		return strconv.Quote(p)
	}
	return p
}
