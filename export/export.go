// Package export writes a walk's per-commit records (walker.Commit) as two
// Parquet tables, one row per commit and one row per changed file, for
// engines that query history with SQL (DuckDB, Spark, BigQuery, pandas).
// The rows hold what the walk computed, exactly: git's numstat counts, the
// walk's order, and every path's raw bytes; the identities mapped through
// .mailmap, the name each file is counted under (followed through its
// renames) and the reason a file is left out of the analyses are added when
// the caller asks for them, decided as the analyses decide them.
//
// The tables' columns are those of CommitRow and ChangeRow, and their
// schema is versioned like the JSON format of package analysis: each file
// carries its table's name and SchemaVersion in its key-value metadata
// (keys "gitwalk.schema" and "gitwalk.schema_version"), and columns are
// only ever added, never renamed, retyped or removed; a change that could
// not keep that promise would get a new schema name. The tests write the
// fixtures' walks and read them back, row for row.
package export

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/parquet-go/parquet-go"
)

// The tables' names, as the key "gitwalk.schema" of a file's metadata gives
// them.
const (
	CommitsSchema = "gitwalk.commits"
	ChangesSchema = "gitwalk.changes"
)

// SchemaVersion is the version of both tables' schema, in the key
// "gitwalk.schema_version" of a file's metadata. It grows by one when
// columns are added.
//
// Version 2 added the changes' file, left_out and missing columns and the
// commits' large and changes_missing columns.
const SchemaVersion = 2

// The metadata keys.
const (
	SchemaKey        = "gitwalk.schema"
	SchemaVersionKey = "gitwalk.schema_version"
)

// CommitRow is one row of the commits table: one walked commit. Times are
// instants in UTC (a Parquet TIMESTAMP adjusted to UTC, in microseconds; git
// records whole seconds) with the signature's own zone kept beside them in
// minutes east of UTC, so the time git shows is Time plus TZ. Text columns
// are UTF-8 strings: a name, email or subject with bytes that are not UTF-8
// has each such byte replaced by U+FFFD, as package analysis's JSON does.
type CommitRow struct {
	// Repository names the repository as the writer was told (Options).
	Repository string `parquet:"repository,dict"`
	Commit     string `parquet:"commit"` // 40 hex digits
	Tree       string `parquet:"tree"`
	// Parents are the commit's parents after history simplification (as
	// walker.Commit.Parents): a merge has two or more.
	Parents []string `parquet:"parents,list"`
	// Seq is the commit's 0-based position in the walk's order: 0 is the
	// first commit `git log` prints.
	Seq int64 `parquet:"seq"`

	AuthorName  string    `parquet:"author_name,dict"`
	AuthorEmail string    `parquet:"author_email,dict"`
	AuthorTime  time.Time `parquet:"author_time,timestamp(microsecond:utc)"`
	AuthorTZ    int32     `parquet:"author_tz"`
	// AuthorMappedName and AuthorMappedEmail are the author as .mailmap
	// maps them (the recorded ones when it has no entry); null when the
	// writer was given no mailmap.
	AuthorMappedName  *string `parquet:"author_mapped_name,optional,dict"`
	AuthorMappedEmail *string `parquet:"author_mapped_email,optional,dict"`

	CommitterName        string    `parquet:"committer_name,dict"`
	CommitterEmail       string    `parquet:"committer_email,dict"`
	CommitterTime        time.Time `parquet:"committer_time,timestamp(microsecond:utc)"`
	CommitterTZ          int32     `parquet:"committer_tz"`
	CommitterMappedName  *string   `parquet:"committer_mapped_name,optional,dict"`
	CommitterMappedEmail *string   `parquet:"committer_mapped_email,optional,dict"`

	Subject string `parquet:"subject"`
	// Message is the whole message, null unless the walk kept messages
	// (walker.Options.Messages) and it is not empty.
	Message *string `parquet:"message,optional"`

	// Files, Added and Deleted are the commit's changed files and their
	// lines (the sums of its rows in the changes table).
	Files   int64 `parquet:"files"`
	Added   int64 `parquet:"added"`
	Deleted int64 `parquet:"deleted"`
	// Bot says whether the author is a bot, as the analyses decide it
	// (analysis.IsBot, on the recorded or the mapped identity): author-based
	// analyses leave these commits out by default.
	Bot bool `parquet:"bot"`
	// Ignored says whether the commit is one of the revisions the analyses
	// were told to ignore (Options.IgnoreRevs, blame.ignoreRevsFile's list).
	Ignored bool `parquet:"ignored"`
	// Large says whether the commit changes more files than
	// Options.MaxChangeset: the analyses leave such commits out.
	Large bool `parquet:"large"`
	// ChangesMissing says the walk passed over a missing tree of the
	// commit (walker.Options.Missing): its changes are not known, and the
	// changes table has none of them.
	ChangesMissing bool `parquet:"changes_missing"`
}

// ChangeRow is one row of the changes table: one file a commit changed, as
// walker.Change describes it.
type ChangeRow struct {
	Repository string `parquet:"repository,dict"`
	Commit     string `parquet:"commit"`
	// Index is the change's 0-based position among its commit's changes
	// (git's order: by path).
	Index int32 `parquet:"index"`
	// Path is the file's path, with each byte that is not UTF-8 replaced by
	// U+FFFD; PathRaw holds the raw bytes then, and is null otherwise.
	Path    string `parquet:"path"`
	PathRaw []byte `parquet:"path_raw,optional"`
	// OldPath is the path in the parent for a renamed or copied file, null
	// otherwise; OldPathRaw as PathRaw.
	OldPath    *string `parquet:"old_path,optional"`
	OldPathRaw []byte  `parquet:"old_path_raw,optional"`
	// Kind is modified, added, deleted, renamed or copied.
	Kind string `parquet:"kind,dict"`
	// Score is the similarity of a renamed or copied file in percent, 0
	// otherwise.
	Score   int32  `parquet:"score"`
	OldMode int32  `parquet:"old_mode"` // git's mode bits (0o100644 ...); 0 when absent
	NewMode int32  `parquet:"new_mode"`
	OldHash string `parquet:"old_hash"` // the blob's id; 40 zeros when absent
	NewHash string `parquet:"new_hash"`
	// Added and Deleted are git's numstat line counts, 0 for a binary file.
	Added   int64 `parquet:"added"`
	Deleted int64 `parquet:"deleted"`
	Binary  bool  `parquet:"binary"`
	// Excluded is why the analyses leave this file out (an
	// analysis.ExcludeReason's name: generated, vendored, vendor-folder,
	// lock-file, minified), null when they count it or when the writer was
	// given no Exclude.
	Excluded *string `parquet:"excluded,optional,dict"`
	// File is the name the analyses count the change under: the file's path
	// at the newest commit walked, following its renames as
	// analysis.Follower does (Path itself without renames, and for a file
	// never renamed later). Null unless the writer follows (Options.Follow).
	// Bytes that are not UTF-8 are replaced as in Path.
	File *string `parquet:"file,optional"`
	// LeftOut is why every analysis leaves the change out, null when they
	// count it: "ignore-revs" (its commit is in Options.IgnoreRevs),
	// "max-changeset" (its commit is Large), the Excluded reason, or
	// "filtered" (Options.Filter does not match it), first match in that
	// order, as analysis.Scope and then the analysis decide. Bots are not a
	// reason here: only author-based analyses leave them out, and the
	// commits' bot column says which they are.
	LeftOut *string `parquet:"left_out,optional,dict"`
	// Missing says a blob of the change was missing and passed over
	// (walker.Change.Missing): Added and Deleted are not known and are 0.
	Missing bool `parquet:"missing"`
}

// The LeftOut column's values besides the exclusion reasons.
const (
	LeftOutIgnored  = "ignore-revs"
	LeftOutLarge    = "max-changeset"
	LeftOutFiltered = "filtered"
)

// RepoName is the name the repository column gives the repository at
// path (a work tree, its .git folder, or a bare repository): its folder's
// name without ".git", or for a work tree's .git folder the work tree's
// name. path may use / or \ as separators; the name is not made safe for
// file names. gitwalk export and gitwalk-beam both name repositories so.
func RepoName(repoPath string) string {
	p := strings.TrimRight(strings.ReplaceAll(repoPath, `\`, "/"), "/")
	name := strings.TrimSuffix(path.Base(p), ".git")
	if name == "" { // a work tree's .git folder: name it for the work tree
		name = path.Base(strings.TrimSuffix(p, "/.git"))
	}
	return name
}

// Options say what the writer adds to the walk's records.
type Options struct {
	// Repository is the repository column's value: a name, path or URL.
	Repository string
	// Mailmap, when set, fills the mapped identity columns and helps decide
	// Bot, as analysis.Scope does.
	Mailmap analysis.Mailmap
	// Exclude, when set, fills the changes' Excluded column; give it the
	// function the analyses' Scope.Exclude is.
	Exclude func(path string) analysis.ExcludeReason
	// IgnoreRevs fills the commits' Ignored column.
	IgnoreRevs map[walker.Hash]struct{}
	// MaxChangeset, when above 0, fills the commits' Large column: commits
	// changing more files than this, as analysis.Scope.MaxChangeset.
	MaxChangeset int
	// Filter, when not zero, marks the changes it does not match as
	// filtered (the analyses' --include and --exclude), by File when
	// following, else by Path.
	Filter analysis.PathFilter
	// Follow fills the changes' File column, following files through the
	// renames the walk reports, as analysis.Run does; Exclude and Filter
	// then decide by File, as in the analyses. Write must then be given the
	// commits in the walk's order, newest first (walker.Commit.Seq
	// ascending, without walker.Options.Reverse): a rename names the file
	// in every older commit. A walk split in shards cannot follow shard by
	// shard.
	Follow bool
}

// flushRows is how many rows a Writer gathers before handing them to the
// Parquet writers, which buffer a row group themselves.
const flushRows = 1024

// Writer writes commits to the commits and changes tables. It is not safe
// for concurrent use: give each walk (or shard) its own, and its own files.
type Writer struct {
	opts    Options
	commits *parquet.GenericWriter[CommitRow]
	changes *parquet.GenericWriter[ChangeRow]
	cbuf    []CommitRow
	chbuf   []ChangeRow
	reasons map[string]analysis.ExcludeReason // Exclude's answers, so each path is asked once
	bots    map[[2]string]bool
	err     error

	follow *analysis.Follower // nil unless Options.Follow
	named  walker.Commit      // scratch: the commit being written, with its files' names
	counts Counts
}

// Counts are the rows a Writer has written, and the change rows per
// LeftOut value ("" for those every analysis counts).
type Counts struct {
	Commits, Changes int
	LeftOut          map[string]int
}

// NewWriter returns a Writer of the commits table to commits and of the
// changes table to changes. Close must be called to write the files'
// footers; the writers themselves are the caller's to close after that.
func NewWriter(commits, changes io.Writer, opts Options) *Writer {
	meta := func(schema string) []parquet.WriterOption {
		return []parquet.WriterOption{
			parquet.KeyValueMetadata(SchemaKey, schema),
			parquet.KeyValueMetadata(SchemaVersionKey, strconv.Itoa(SchemaVersion)),
			parquet.Compression(&parquet.Zstd),
		}
	}
	w := &Writer{
		opts:    opts,
		commits: parquet.NewGenericWriter[CommitRow](commits, meta(CommitsSchema)...),
		changes: parquet.NewGenericWriter[ChangeRow](changes, meta(ChangesSchema)...),
		reasons: map[string]analysis.ExcludeReason{},
		bots:    map[[2]string]bool{},
		counts:  Counts{LeftOut: map[string]int{}},
	}
	if opts.Follow {
		w.follow = analysis.NewFollower()
	}
	return w
}

// Counts returns the rows written so far.
func (w *Writer) Counts() Counts {
	c := w.counts
	c.LeftOut = make(map[string]int, len(w.counts.LeftOut))
	for k, v := range w.counts.LeftOut {
		c.LeftOut[k] = v
	}
	return c
}

// Write adds c's row to the commits table and a row per change to the
// changes table. c is not kept.
func (w *Writer) Write(c *walker.Commit) error {
	if w.err != nil {
		return w.err
	}
	id := c.Hash.String()
	row := CommitRow{
		Repository: w.opts.Repository,
		Commit:     id,
		Tree:       c.Tree.String(),
		Parents:    make([]string, len(c.Parents)),
		Seq:        int64(c.Seq),
		Subject:    validText(c.Subject),
		Files:      int64(len(c.Changes)),
	}
	for i, p := range c.Parents {
		row.Parents[i] = p.String()
	}
	row.AuthorName, row.AuthorEmail, row.AuthorTime, row.AuthorTZ = signature(c.Author)
	row.CommitterName, row.CommitterEmail, row.CommitterTime, row.CommitterTZ = signature(c.Committer)
	if mm := w.opts.Mailmap; mm != nil {
		row.AuthorMappedName, row.AuthorMappedEmail = mapped(mm, c.Author)
		row.CommitterMappedName, row.CommitterMappedEmail = mapped(mm, c.Committer)
	}
	if c.Message != "" {
		m := validText(c.Message)
		row.Message = &m
	}
	row.Bot = w.isBot(c.Author)
	if _, ok := w.opts.IgnoreRevs[c.Hash]; ok {
		row.Ignored = true
	}
	row.Large = w.opts.MaxChangeset > 0 && len(c.Changes) > w.opts.MaxChangeset
	row.ChangesMissing = c.ChangesMissing
	names := w.names(c)
	for i := range c.Changes {
		ch := &c.Changes[i]
		row.Added += int64(ch.Added)
		row.Deleted += int64(ch.Deleted)
		cr := ChangeRow{
			Repository: w.opts.Repository,
			Commit:     id,
			Index:      int32(i),
			Kind:       ch.Kind.String(),
			Score:      int32(ch.Score),
			OldMode:    int32(ch.OldMode),
			NewMode:    int32(ch.NewMode),
			OldHash:    ch.OldHash.String(),
			NewHash:    ch.NewHash.String(),
			Added:      int64(ch.Added),
			Deleted:    int64(ch.Deleted),
			Binary:     ch.Binary,
			Missing:    ch.Missing,
		}
		cr.Path, cr.PathRaw = pathColumns(ch.Path)
		if ch.OldPath != "" {
			var old string
			old, cr.OldPathRaw = pathColumns(ch.OldPath)
			cr.OldPath = &old
		}
		name := ch.Path
		if names != nil {
			name = names[i].Path
			file := validText(name)
			cr.File = &file
		}
		if r := w.exclude(name); r != analysis.NotExcluded {
			reason := r.String()
			cr.Excluded = &reason
		}
		var left string
		switch {
		case row.Ignored:
			left = LeftOutIgnored
		case row.Large:
			left = LeftOutLarge
		case cr.Excluded != nil:
			left = *cr.Excluded
		case !w.opts.Filter.IsZero() && !w.opts.Filter.Match(name):
			left = LeftOutFiltered
		}
		if left != "" {
			cr.LeftOut = &left
		}
		w.counts.LeftOut[left]++
		w.chbuf = append(w.chbuf, cr)
	}
	w.counts.Commits++
	w.counts.Changes += len(c.Changes)
	w.cbuf = append(w.cbuf, row)
	if len(w.chbuf) >= flushRows || len(w.cbuf) >= flushRows {
		return w.flush()
	}
	return nil
}

// flush hands the gathered rows to the Parquet writers.
func (w *Writer) flush() error {
	if _, err := w.commits.Write(w.cbuf); err != nil {
		w.err = fmt.Errorf("write commits table: %w", err)
		return w.err
	}
	if _, err := w.changes.Write(w.chbuf); err != nil {
		w.err = fmt.Errorf("write changes table: %w", err)
		return w.err
	}
	clear(w.cbuf) // the rows' strings and slices are not kept alive by the buffers
	clear(w.chbuf)
	w.cbuf, w.chbuf = w.cbuf[:0], w.chbuf[:0]
	return nil
}

// Close writes the rows still gathered and both files' footers. A Writer
// is not used after Close.
func (w *Writer) Close() error {
	err := w.err
	if err == nil {
		err = w.flush()
	}
	if cerr := w.commits.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close commits table: %w", cerr)
	}
	if cerr := w.changes.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close changes table: %w", cerr)
	}
	if w.err == nil {
		w.err = fmt.Errorf("export: writer closed")
	}
	return err
}

// names returns c's changes with their paths as the files' names, nil when
// the writer does not follow. The Follower renames in place, so it is given
// a copy of the changes: c is the caller's.
func (w *Writer) names(c *walker.Commit) []walker.Change {
	if w.follow == nil {
		return nil
	}
	w.named.Changes = append(w.named.Changes[:0], c.Changes...)
	w.follow.Name(&w.named)
	return w.named.Changes
}

func (w *Writer) exclude(path string) analysis.ExcludeReason {
	if w.opts.Exclude == nil {
		return analysis.NotExcluded
	}
	r, ok := w.reasons[path]
	if !ok {
		r = w.opts.Exclude(path)
		w.reasons[path] = r
	}
	return r
}

// isBot decides as analysis.Scope does: the recorded identity, or the
// mapped one when there is a mailmap.
func (w *Writer) isBot(s walker.Signature) bool {
	k := [2]string{s.Name, s.Email}
	if b, ok := w.bots[k]; ok {
		return b
	}
	b := analysis.IsBot(s.Name, s.Email)
	if !b && w.opts.Mailmap != nil {
		if n, e, ok := w.opts.Mailmap.Lookup(s.Name, s.Email); ok {
			b = analysis.IsBot(n, e)
		}
	}
	w.bots[k] = b
	return b
}

// signature returns a signature's columns: the time as an instant and its
// zone's offset in minutes.
func signature(s walker.Signature) (name, email string, when time.Time, tz int32) {
	_, off := s.When.Zone()
	return validText(s.Name), validText(s.Email), s.When.UTC(), int32(off / 60)
}

// mapped returns the identity .mailmap gives s (s itself when none).
func mapped(mm analysis.Mailmap, s walker.Signature) (name, email *string) {
	n, e := s.Name, s.Email
	if mn, me, ok := mm.Lookup(n, e); ok {
		n, e = mn, me
	}
	n, e = validText(n), validText(e)
	return &n, &e
}

// pathColumns returns a path's text column and its raw column, which is
// set only when the text had to change.
func pathColumns(p string) (text string, raw []byte) {
	if utf8.ValidString(p) {
		return p, nil
	}
	return validText(p), []byte(p)
}

// validText replaces each byte of s that is not UTF-8 with U+FFFD, one per
// byte, as analysis's JSON does.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, r) // RuneError for a bad byte, which takes n == 1
		i += n
	}
	return string(out)
}
