package mmap

import "testing"

func TestReleaseDropsResidentPagesWhichReadBackAsZeros(t *testing.T) {
	const pages = 16
	b, err := Map(pages*PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer mustUnmap(t, b)
	assertResident(t, b, 0)
	for i := 0; i < len(b); i += PageSize() {
		b[i] = 0xFF
	}
	assertResident(t, b, pages)
	if err := Release(b[4*PageSize():]); err != nil {
		t.Fatal(err)
	}
	assertResident(t, b, 4)
	for i := 4 * PageSize(); i < len(b); i++ {
		if b[i] != 0 {
			t.Fatalf("byte %d reads %#x after Release, want 0", i, b[i])
		}
	}
	if b[0] != 0xFF {
		t.Fatal("Release dropped a page outside its range")
	}
}

func TestMapWithPopulateFaultsEveryPageIn(t *testing.T) {
	b, err := Map(32*PageSize(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer mustUnmap(t, b)
	assertResident(t, b, 32)
}

func TestReleaseIgnoresAPartialLastPage(t *testing.T) {
	b, err := Map(2*PageSize(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer mustUnmap(t, b)
	if err := Release(b[:PageSize()+100]); err != nil {
		t.Fatal(err)
	}
	assertResident(t, b, 1)
}

func assertResident(t *testing.T, b []byte, want int) {
	t.Helper()
	got, err := Resident(b)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%d pages resident, want %d", got, want)
	}
}
