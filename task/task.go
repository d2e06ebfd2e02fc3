// Package task defines the dependency regimes: tasks on the same inputs (an image of a digit, a
// spoken digit) that differ in which dependency carries the label (the paper, section 1: intra-
// modality dependencies in AV-MNIST, inter-modality ones in NLVR2). One definition - name, question,
// classes and the seeded pairing rule - is read by training, evaluation, shipping and the manifest.
//
//   - digit: image and clip show the same digit d, label d (the real-input model's task; the bank's
//     own pairing, dataset/real.go). Each modality alone carries the label: intra dependencies only.
//   - same: "Does the voice say the digit in the picture?" Half the pairs join an image of d with
//     a clip of d (yes), half with a clip of a digit dealt uniformly from the other nine (no).
//     Every image digit and every clip digit is yes exactly as often as no, so each modality alone
//     says nothing about the label: inter dependency only.
//   - digit-or-mismatch: 11 classes, the digit when both agree, "mismatch" when they do not; a
//     share m of the pairs (the dial) is mismatched. Both kinds of dependency matter.
package task

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// Task is one labelling of (image digit, clip digit) pairs.
type Task struct {
	Name     string   `json:"name"`     // "digit", "same", "digit-or-mismatch"
	Title    string   `json:"title"`    // the lab's switch: "Which digit?"
	Question string   `json:"question"` // what the label answers
	Classes  []string `json:"classes"`
	// Mismatch is the share of pairs whose clip shows another digit than the image (the dial m of
	// digit-or-mismatch; 0.5 for same, 0 for digit).
	Mismatch float64 `json:"mismatch"`
	// Dependency is which dependency carries the label: "intra", "inter" or "both".
	Dependency string `json:"dependency"`
}

// MismatchClass is the index of digit-or-mismatch's "mismatch" class.
const MismatchClass = 10

// ShippedMismatch is the dial point of the shipped digit-or-mismatch model; Dial lists the points
// the accuracy-vs-m experiment trains (scripts/train-tasks.sh).
const ShippedMismatch = 0.5

// Pairing seeds of the splits: fixed, so every training seed sees the same pairs (as the bank's
// pairing seed, dataset.RealSeed).
const (
	TrainSeed = 1301
	ValSeed   = 1302
	TestSeed  = 1303
)

// Dial is the list of m values of the accuracy-vs-m experiment.
var Dial = []float64{0.1, 0.5, 0.9}

var digits = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// Digit is today's task.
var Digit = Task{Name: "digit", Title: "Which digit?", Question: "Which digit do the picture and the voice show?",
	Classes: digits, Mismatch: 0, Dependency: "intra"}

// Same is the inter-only task (our NLVR2).
var Same = Task{Name: "same", Title: "Same digit?", Question: "Does the voice say the digit in the picture?",
	Classes: []string{"no", "yes"}, Mismatch: 0.5, Dependency: "inter"}

// DigitOrMismatch returns the 11-class task with a share m of mismatched pairs (0 <= m <= 1).
func DigitOrMismatch(m float64) (Task, error) {
	if !(m >= 0 && m <= 1) {
		return Task{}, fmt.Errorf("task: mismatch share %v: want 0 <= m <= 1", m)
	}
	return Task{Name: "digit-or-mismatch", Title: "Digit or mismatch?",
		Question: "Which digit do both show, or do they disagree?",
		Classes:  append(append([]string{}, digits...), "mismatch"), Mismatch: m, Dependency: "both"}, nil
}

// All returns the shipped tasks, in the lab's order.
func All() []Task {
	dm, _ := DigitOrMismatch(ShippedMismatch)
	return []Task{Digit, Same, dm}
}

// Lookup returns the task named name; "digit-or-mismatch" takes an optional dial point as
// "digit-or-mismatch@0.1" (default ShippedMismatch).
func Lookup(name string) (Task, error) {
	base, m, hasM := strings.Cut(name, "@")
	switch base {
	case "digit", "same":
		if hasM {
			return Task{}, fmt.Errorf("task %q: only digit-or-mismatch has a dial", name)
		}
		if base == "digit" {
			return Digit, nil
		}
		return Same, nil
	case "digit-or-mismatch":
		v := ShippedMismatch
		if hasM {
			var err error
			if v, err = strconv.ParseFloat(m, 64); err != nil {
				return Task{}, fmt.Errorf("task %q: dial: %w", name, err)
			}
		}
		return DigitOrMismatch(v)
	}
	return Task{}, fmt.Errorf("task %q: want digit, same or digit-or-mismatch[@m]", name)
}

// Key names the task with its dial point ("same", "digit-or-mismatch@0.1"): run directories and
// result tables use it.
func (t Task) Key() string {
	if t.Name == "digit-or-mismatch" {
		return fmt.Sprintf("%s@%g", t.Name, t.Mismatch)
	}
	return t.Name
}

// Label is the task's label of a pair (image digit, clip digit); ok is false when the task has no
// such pair (digit with two different digits).
func (t Task) Label(img, clip uint8) (label uint8, ok bool) {
	switch t.Name {
	case "digit":
		return img, img == clip
	case "same":
		if img == clip {
			return 1, true
		}
		return 0, true
	default:
		if img == clip {
			return img, true
		}
		return MismatchClass, true
	}
}

// Pairs is a task's pairing of a split: pair k shows the image of sample Image[k] and the clip of
// sample Audio[k] (indices into the split), labelled Labels[k].
type Pairs struct {
	Image, Audio []int32
	Labels       []uint8
	Clip         []uint8 // digit of the clip (the image's is the split's label)
}

// balanceUnit makes the per-digit counts exact: pairs per image digit are a multiple of 18, so
// half of them (same) splits evenly over the nine other digits.
const balanceUnit = 18

// Pair pairs the samples of a split whose images and clips both show digits[i] (the bank's
// pairing) under t, from seed. digit keeps the split as it is. The others keep the same number n
// of images of every digit (n = the rarest digit's count, rounded down to a multiple of 18; a
// seeded choice), give round(m*n) of each digit's images a clip of another digit, dealt from the
// other nine in shuffled rounds (uniform and exactly balanced), and the rest a clip of their own
// digit; clips of digit c are dealt in shuffled rounds from every sample of c in the split. So
// pairs never leave the split (its speakers stay its own), and on same every image digit and every
// clip digit is yes for exactly half its pairs. The pairs come in a seeded random order.
func (t Task) Pair(digits []uint8, seed uint64) (*Pairs, error) {
	var by [10][]int32
	for i, d := range digits {
		if d > 9 {
			return nil, fmt.Errorf("task: sample %d has digit %d", i, d)
		}
		by[d] = append(by[d], int32(i))
	}
	if t.Name == "digit" {
		p := &Pairs{Image: make([]int32, len(digits)), Audio: make([]int32, len(digits)), Labels: append([]uint8{}, digits...), Clip: append([]uint8{}, digits...)}
		for i := range digits {
			p.Image[i], p.Audio[i] = int32(i), int32(i)
		}
		return p, nil
	}
	n := math.MaxInt
	for d := range by {
		n = min(n, len(by[d]))
	}
	n -= n % balanceUnit
	if n == 0 {
		return nil, fmt.Errorf("task %s: fewer than %d samples of some digit", t.Key(), balanceUnit)
	}
	r := dataset.NewRNG(seed)
	k := int(math.Round(t.Mismatch * float64(n)))
	p := &Pairs{}
	var decks [10]deck
	for d := range decks {
		decks[d] = deck{items: append([]int32{}, by[d]...), r: r.Split()}
	}
	for d := range by {
		imgs := append([]int32{}, by[d]...)
		r.Shuffle(imgs)
		others := deck{r: r.Split()}
		for c := 0; c < 10; c++ {
			if c != d {
				others.items = append(others.items, int32(c))
			}
		}
		for j, i := range imgs[:n] {
			c := uint8(d)
			if j < k {
				c = uint8(others.next())
			}
			lab, _ := t.Label(uint8(d), c)
			p.Image = append(p.Image, i)
			p.Audio = append(p.Audio, decks[c].next())
			p.Labels = append(p.Labels, lab)
			p.Clip = append(p.Clip, c)
		}
	}
	perm := r.Perm(len(p.Image))
	q := &Pairs{Image: make([]int32, len(perm)), Audio: make([]int32, len(perm)), Labels: make([]uint8, len(perm)), Clip: make([]uint8, len(perm))}
	for to, from := range perm {
		q.Image[to], q.Audio[to], q.Labels[to], q.Clip[to] = p.Image[from], p.Audio[from], p.Labels[from], p.Clip[from]
	}
	return q, nil
}

// deck deals its items in rounds, each round a fresh shuffle.
type deck struct {
	items []int32
	pos   int
	r     *dataset.RNG
}

func (d *deck) next() int32 {
	if d.pos%len(d.items) == 0 {
		d.r.Shuffle(d.items)
		d.pos = 0
	}
	d.pos++
	return d.items[d.pos-1]
}

// Apply returns the split re-paired under t (seeded): images, labels and MNIST indices from the
// pairs' image samples, spectrograms, voices and clip ids from their audio samples.
func (t Task) Apply(s *dataset.Split, seed uint64) (*dataset.Split, *Pairs, error) {
	p, err := t.Pair(s.Labels, seed)
	if err != nil {
		return nil, nil, err
	}
	n := len(p.Image)
	o := &dataset.Split{Name: s.Name + "/" + t.Key(), N: n, Images: make([]uint8, n*dataset.ImageSize),
		Audio: make([]uint8, n*dataset.AudioSize), Labels: p.Labels, Voices: make([]string, n), Clips: make([]int32, n),
		MNISTIndex: make([]int32, n)}
	for k := range p.Image {
		i, a := int(p.Image[k]), int(p.Audio[k])
		copy(o.Images[k*dataset.ImageSize:], s.Images[i*dataset.ImageSize:(i+1)*dataset.ImageSize])
		copy(o.Audio[k*dataset.AudioSize:], s.Audio[a*dataset.AudioSize:(a+1)*dataset.AudioSize])
		if s.Voices != nil {
			o.Voices[k] = s.Voices[a]
		}
		if s.Clips != nil {
			o.Clips[k] = s.Clips[a]
		}
		if s.MNISTIndex != nil {
			o.MNISTIndex[k] = s.MNISTIndex[i]
		}
	}
	return o, p, nil
}
