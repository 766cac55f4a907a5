package mailmap_test

import (
	"fmt"
	"testing"

	"github.com/gitwalk/gitwalk/internal/mailmap"
)

func ExampleMap_Lookup() {
	var m mailmap.Map
	m.Add([]byte("Jane Doe <jane@example.com>\n" +
		"Jane Doe <jane@example.com> <JDOE@old.example.com>\n" +
		"<bot@example.com> Old Bot <bot@old.example.com>\n"))
	for _, id := range [][2]string{{"jane", "Jane@Example.com"}, {"J", "jdoe@old.example.com"}, {"Old Bot", "bot@old.example.com"}, {"Other", "bot@old.example.com"}} {
		name, email, ok := m.Lookup(id[0], id[1])
		fmt.Printf("%s <%s> -> %s <%s> %v\n", id[0], id[1], name, email, ok)
	}
	// Output:
	// jane <Jane@Example.com> -> Jane Doe <Jane@Example.com> true
	// J <jdoe@old.example.com> -> Jane Doe <jane@example.com> true
	// Old Bot <bot@old.example.com> -> Old Bot <bot@example.com> true
	// Other <bot@old.example.com> -> Other <bot@old.example.com> false
}

func BenchmarkLookup(b *testing.B) {
	var m mailmap.Map
	m.Add([]byte(mailmapText))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.Lookup("Old Four", "four@example.com")
		m.Lookup("Stranger", "stranger@example.com")
	}
}
