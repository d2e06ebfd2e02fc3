package task

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// split returns digits with uneven counts per digit (as MNIST's), in a scrambled order.
func splitDigits(base int) []uint8 {
	var ds []uint8
	for d := 0; d < 10; d++ {
		for k := 0; k < base+7*d; k++ {
			ds = append(ds, uint8(d))
		}
	}
	r := dataset.NewRNG(5)
	out := make([]uint8, len(ds))
	for i, j := range r.Perm(len(ds)) {
		out[i] = ds[j]
	}
	return out
}

func TestLabels(t *testing.T) {
	dm, _ := DigitOrMismatch(0.3)
	for _, c := range []struct {
		t         Task
		img, clip uint8
		want      uint8
		ok        bool
	}{
		{Digit, 3, 3, 3, true}, {Digit, 3, 4, 0, false},
		{Same, 3, 3, 1, true}, {Same, 3, 4, 0, true}, {Same, 0, 9, 0, true},
		{dm, 7, 7, 7, true}, {dm, 7, 1, MismatchClass, true},
	} {
		got, ok := c.t.Label(c.img, c.clip)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%s.Label(%d,%d) = %d,%v, want %d,%v", c.t.Key(), c.img, c.clip, got, ok, c.want, c.ok)
		}
		if ok && int(got) >= len(c.t.Classes) {
			t.Errorf("%s: label %d outside %d classes", c.t.Key(), got, len(c.t.Classes))
		}
	}
	if dm.Classes[MismatchClass] != "mismatch" || len(Same.Classes) != 2 || len(Digit.Classes) != 10 {
		t.Fatal("class lists")
	}
}

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		name, key string
		m         float64
		err       bool
	}{
		{"digit", "digit", 0, false}, {"same", "same", 0.5, false},
		{"digit-or-mismatch", "digit-or-mismatch@0.5", 0.5, false},
		{"digit-or-mismatch@0.1", "digit-or-mismatch@0.1", 0.1, false},
		{"digit-or-mismatch@1.5", "", 0, true}, {"digit-or-mismatch@x", "", 0, true},
		{"digit-or-mismatch@NaN", "", 0, true}, {"same@0.2", "", 0, true}, {"nope", "", 0, true}, {"", "", 0, true},
	} {
		tk, err := Lookup(c.name)
		if (err != nil) != c.err {
			t.Errorf("Lookup(%q) err = %v", c.name, err)
			continue
		}
		if err == nil && (tk.Key() != c.key || tk.Mismatch != c.m) {
			t.Errorf("Lookup(%q) = %s m=%v", c.name, tk.Key(), tk.Mismatch)
		}
	}
	for _, tk := range All() {
		back, err := Lookup(tk.Name)
		if err != nil || back.Key() != tk.Key() {
			t.Errorf("All()'s %s does not look up: %v", tk.Key(), err)
		}
	}
}

// TestPairBalance: the counts the pairing rule promises hold exactly, for every dial point.
func TestPairBalance(t *testing.T) {
	ds := splitDigits(40) // rarest digit: 40 -> 36 pairs per digit
	tasks := []Task{Same}
	for _, m := range []float64{0, 0.1, 0.5, 0.9, 1} {
		dm, _ := DigitOrMismatch(m)
		tasks = append(tasks, dm)
	}
	for _, tk := range tasks {
		t.Run(tk.Key(), func(t *testing.T) {
			p, err := tk.Pair(ds, 1)
			if err != nil {
				t.Fatal(err)
			}
			const n = 36
			if len(p.Image) != 10*n {
				t.Fatalf("%d pairs, want %d", len(p.Image), 10*n)
			}
			var perImg, mis [10]int
			var cross [10][10]int
			var yesByClip, byClip [10]int
			used := map[int32]bool{}
			for k := range p.Image {
				d, c := ds[p.Image[k]], ds[p.Audio[k]]
				if c != p.Clip[k] {
					t.Fatalf("pair %d: clip digit %d recorded as %d", k, c, p.Clip[k])
				}
				if used[p.Image[k]] {
					t.Fatalf("image %d used twice", p.Image[k])
				}
				used[p.Image[k]] = true
				if want, _ := tk.Label(d, c); p.Labels[k] != want {
					t.Fatalf("pair %d (%d,%d): label %d, want %d", k, d, c, p.Labels[k], want)
				}
				perImg[d]++
				cross[d][c]++
				byClip[c]++
				if d != c {
					mis[d]++
				} else {
					yesByClip[c]++
				}
			}
			k := int(math.Round(tk.Mismatch * n))
			for d := 0; d < 10; d++ {
				if perImg[d] != n || mis[d] != k {
					t.Errorf("digit %d: %d pairs, %d mismatched; want %d, %d", d, perImg[d], mis[d], n, k)
				}
				for c := 0; c < 10; c++ {
					// the other nine are dealt in rounds: counts differ by at most one
					if c != d && (cross[d][c] < k/9 || cross[d][c] > (k+8)/9) {
						t.Errorf("image %d with clip %d: %d times, want %d..%d", d, c, cross[d][c], k/9, (k+8)/9)
					}
				}
				// same: every clip digit is yes exactly as often as no
				if tk.Name == "same" && 2*yesByClip[d] != byClip[d] {
					t.Errorf("clip digit %d: %d yes of %d", d, yesByClip[d], byClip[d])
				}
			}
		})
	}
}

func TestPairSeeded(t *testing.T) {
	ds := splitDigits(30)
	a, _ := Same.Pair(ds, 7)
	b, _ := Same.Pair(ds, 7)
	c, _ := Same.Pair(ds, 8)
	if !slices.Equal(a.Image, b.Image) || !slices.Equal(a.Audio, b.Audio) || !slices.Equal(a.Labels, b.Labels) {
		t.Fatal("same seed, different pairs")
	}
	if slices.Equal(a.Audio, c.Audio) {
		t.Fatal("different seeds, same pairs")
	}
	d, _ := Digit.Pair(ds, 7)
	for i := range ds {
		if d.Image[i] != int32(i) || d.Audio[i] != int32(i) || d.Labels[i] != ds[i] {
			t.Fatal("digit is not the split's own pairing")
		}
	}
}

func TestPairErrors(t *testing.T) {
	if _, err := Same.Pair([]uint8{1, 2, 3}, 1); err == nil {
		t.Error("too few samples per digit: no error")
	}
	if _, err := Same.Pair(append(splitDigits(20), 11), 1); err == nil {
		t.Error("digit 11: no error")
	}
}

// TestApplyKeepsSplit: a re-paired split draws images and clips from its own samples only, so the
// speaker split of the bank (train speakers never in test) holds for every task.
func TestApplyKeepsSplit(t *testing.T) {
	ds := splitDigits(20)
	s := &dataset.Split{Name: "test", N: len(ds), Labels: ds, Images: make([]uint8, len(ds)*dataset.ImageSize),
		Audio: make([]uint8, len(ds)*dataset.AudioSize), Voices: make([]string, len(ds)), Clips: make([]int32, len(ds)), MNISTIndex: make([]int32, len(ds))}
	for i := range ds {
		s.Images[i*dataset.ImageSize] = ds[i]
		s.Audio[i*dataset.AudioSize] = ds[i] + 100
		s.Voices[i] = fmt.Sprintf("fsdd:%s", []string{"lucas", "theo"}[i%2])
		s.Clips[i] = int32(1000 + i)
		s.MNISTIndex[i] = int32(i)
	}
	for _, tk := range All() {
		o, p, err := tk.Apply(s, 3)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < o.N; k++ {
			img, aud := o.Images[k*dataset.ImageSize], o.Audio[k*dataset.AudioSize]-100
			if want, _ := tk.Label(img, aud); o.Labels[k] != want {
				t.Fatalf("%s pair %d: label %d for (%d,%d)", tk.Key(), k, o.Labels[k], img, aud)
			}
			if o.Voices[k] != s.Voices[p.Audio[k]] || o.Clips[k] != s.Clips[p.Audio[k]] || o.MNISTIndex[k] != p.Image[k] {
				t.Fatalf("%s pair %d: voice/clip/image index not carried", tk.Key(), k)
			}
			if o.Voices[k] != "fsdd:lucas" && o.Voices[k] != "fsdd:theo" {
				t.Fatalf("%s: voice %q from outside the split", tk.Key(), o.Voices[k])
			}
		}
	}
}

// TestBuildDemo: every demo pair carries its task's label; on same, Flip changes the answer with
// the voice kept and Keep keeps it with the voice changed; only real voices are used.
func TestBuildDemo(t *testing.T) {
	d := &dataset.Demo{N: 40, NWave: 30, Voices: []string{"flite:slt", "fsdd:lucas", "fsdd:theo"}}
	for k := 0; k < 40; k++ {
		d.Labels = append(d.Labels, uint8(k%10))
		v := uint16(0)
		if k >= 10 && k < 30 {
			v = uint16(1 + k/10%2)
		}
		d.Voice = append(d.Voice, v)
	}
	ds := splitDigits(3)
	imgs := make([]uint8, len(ds)*dataset.ImageSize)
	s, err := BuildDemo(d, "demo.bin", imgs, ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Clips) != 20 || len(s.Images) != 20 || len(s.Tasks) != 3 {
		t.Fatalf("%d clips, %d images, %d tasks", len(s.Clips), len(s.Images), len(s.Tasks))
	}
	for _, c := range s.Clips {
		if c.DemoPair < 10 || c.DemoPair >= 30 || d.Labels[c.DemoPair] != c.Digit {
			t.Fatalf("clip %+v is not a real voice of the demo file", c)
		}
	}
	for i, tp := range s.Tasks {
		tk := All()[i]
		labels := map[uint8]int{}
		for _, p := range tp.Pairs {
			img, cl := s.Images[p.Image], s.Clips[p.Clip]
			if ds[img.MNISTTest] != img.Digit {
				t.Fatalf("image %d: digit %d, MNIST label %d", p.Image, img.Digit, ds[img.MNISTTest])
			}
			want, _ := tk.Label(img.Digit, cl.Digit)
			if p.Label != want || p.Answer != tk.Classes[want] {
				t.Fatalf("%s pair %+v: label %d, want %d", tk.Name, p, p.Label, want)
			}
			labels[p.Label]++
			if tk.Name != "same" {
				if p.Flip != nil || p.Keep != nil {
					t.Fatalf("%s: swaps on a pair", tk.Name)
				}
				continue
			}
			if p.Flip == nil || p.Keep == nil {
				t.Fatalf("same pair %+v: no flip or keep", p)
			}
			f, k := s.Clips[*p.Flip], s.Clips[*p.Keep]
			if fl, _ := tk.Label(img.Digit, f.Digit); fl == p.Label || f.Voice != cl.Voice {
				t.Fatalf("same pair %+v: flip %+v does not flip with the same voice", p, f)
			}
			if kl, _ := tk.Label(img.Digit, k.Digit); kl != p.Label || k.Voice == cl.Voice || k.Digit != cl.Digit {
				t.Fatalf("same pair %+v: keep %+v", p, k)
			}
		}
		if tk.Name == "same" && (labels[0] != 20 || labels[1] != 20) {
			t.Fatalf("same: %v", labels)
		}
	}
}

// FuzzLookup: any name either fails or gives a task whose key looks up to itself.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"digit", "same", "digit-or-mismatch", "digit-or-mismatch@0.25", "digit-or-mismatch@1e-3", "same@", "@", "digit-or-mismatch@-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		tk, err := Lookup(name)
		if err != nil {
			return
		}
		back, err := Lookup(tk.Key())
		if err != nil || back.Key() != tk.Key() || back.Mismatch != tk.Mismatch || !(tk.Mismatch >= 0 && tk.Mismatch <= 1) {
			t.Fatalf("%q -> %q -> %v %v", name, tk.Key(), back, err)
		}
	})
}
