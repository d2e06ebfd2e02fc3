package ui

import (
	"strings"
	"testing"
)

// avDesc describes the project's digit model: image, audio and inter experts over ten digits.
var avDesc = ModelDesc{Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	Modalities: []ModalityDesc{{Name: "image", Shape: []int{1, 28, 28}}, {Name: "audio", Shape: []int{1, 40, 40}}},
	Experts: []ExpertDesc{{Name: "image", Inputs: []string{"image"}, Intra: true}, {Name: "audio", Inputs: []string{"audio"}, Intra: true},
		{Name: "inter", Inputs: []string{"image", "audio"}}}}

// sameDesc is the same experts on the yes/no task "does the voice say the digit in the picture?".
var sameDesc = ModelDesc{Classes: []string{"no", "yes"}, Modalities: avDesc.Modalities, Experts: avDesc.Experts}

// dist returns a distribution over n classes with probability p on class d and the rest spread evenly.
func distN(n, d int, p float64) *Dist {
	x := &Dist{Label: d, Probs: make([]float64, n)}
	for i := range x.Probs {
		x.Probs[i] = (1 - p) / float64(n-1)
	}
	x.Probs[d] = p
	return x
}

func dist(d int, p float64) *Dist { return distN(10, d, p) }

func predOf(img, aud, inter, final *Dist) *Prediction {
	return &Prediction{Experts: []*Dist{img, aud, inter}, IntraOnly: final, Final: *final}
}

func pred(img, aud, inter, final int, conf float64) *Prediction {
	return predOf(dist(img, conf), dist(aud, conf), dist(inter, conf), dist(final, conf))
}

func TestReading(t *testing.T) {
	pair := func(i, label int) Source { return Source{Kind: FromPair, Pair: i, Digit: label, Intact: i == 3} }
	for _, tc := range []struct {
		name      string
		desc      *ModelDesc
		base, now *Prediction
		img, aud  Source
		want      []string // substrings, in order
	}{
		{"intact, agree", &avDesc, pred(7, 7, 7, 7, 0.9), pred(7, 7, 7, 7, 0.9), pair(3, 7), pair(3, 7),
			[]string{"All three experts say 7", "90%", "right"}},
		{"intact, disagree and wrong", &avDesc, pred(7, 1, 1, 1, 0.6), pred(7, 1, 1, 1, 0.6), pair(3, 7), pair(3, 7),
			[]string{"The experts disagree (image 7, audio 1, inter 1)", "picks 1", "wrong: the answer is 7"}},
		{"audio swapped, followed, inter lost, combination kept", &avDesc, pred(7, 7, 7, 7, 0.9),
			predOf(dist(7, 0.9), dist(2, 0.8), dist(7, 0.4), dist(7, 0.6)),
			pair(3, 7), pair(12, 2),
			[]string{"The audio expert followed the new clip (2, 80%)", "the inter expert lost confidence (90% → 40%) because the pairing broke", "the combination kept 7, the image's digit."}},
		{"image swapped, ignored", &avDesc, pred(7, 7, 7, 7, 0.9),
			predOf(dist(7, 0.5), dist(7, 0.9), dist(7, 0.85), dist(7, 0.9)),
			pair(14, 4), pair(3, 7),
			[]string{"The image expert still says 7 although the new image shows 4", "the inter expert barely moved", "the combination kept 7, the clip's digit"}},
		{"image blank, combination switched", &avDesc, pred(7, 1, 7, 7, 0.9),
			predOf(dist(0, 0.3), dist(1, 0.9), dist(1, 0.7), dist(1, 0.8)),
			Source{Kind: Blank, Digit: -1, Data: make([]float32, ImageSize)}, pair(3, 7),
			[]string{"The image expert has little to go on in a blank image (30% on 0)", "the inter expert switched from 7 to 1 because the pairing broke", "the combination switched from 7 to 1, the clip's digit"}},
		{"voice", &avDesc, pred(7, 7, 7, 7, 0.9),
			predOf(dist(7, 0.9), dist(3, 0.7), dist(7, 0.95), dist(7, 0.9)),
			pair(3, 7), Source{Kind: Voice, Digit: -1, Data: make([]float32, AudioSize)},
			[]string{"The audio expert reads your voice as 3 (70%)", "the inter expert barely moved", "kept 7, the image's digit"}},
		{"audio expert missing", &avDesc, pred(7, 7, 7, 7, 0.9),
			predOf(dist(7, 0.9), nil, nil, dist(7, 0.9)),
			pair(3, 7), pair(5, 5),
			[]string{"The audio expert was not used", "the combination kept 7"}},
		// "same": the clip swapped for another digit; each intra expert sees one modality and stays
		// put, the inter expert flips, and so does the product.
		// (the audio expert at chance: its 51% "no" becomes 52% "yes", which is no move)
		{"same: the flip", &sameDesc, predOf(distN(2, 1, 0.52), distN(2, 0, 0.51), distN(2, 1, 0.95), distN(2, 1, 0.9)),
			predOf(distN(2, 1, 0.52), distN(2, 1, 0.52), distN(2, 0, 0.9), distN(2, 0, 0.85)),
			pair(3, 7), pair(12, 2),
			[]string{"Neither intra expert moved (each sees one modality)", "the inter expert flipped from yes to no (90%) because the pairing broke", "the combination switched from yes to no, siding with the inter expert", "(right)"}},
		{"same: another voice, same digit", &sameDesc, predOf(distN(2, 1, 0.52), distN(2, 0, 0.51), distN(2, 1, 0.95), distN(2, 1, 0.9)),
			predOf(distN(2, 1, 0.52), distN(2, 0, 0.55), distN(2, 1, 0.93), distN(2, 1, 0.88)),
			pair(3, 7), pair(17, 7),
			[]string{"Neither intra expert moved", "the inter expert barely moved (93% on yes)", "the combination kept yes", "(right)"}},
		{"same: an intra expert that moves is said to", &sameDesc, predOf(distN(2, 1, 0.52), distN(2, 0, 0.51), distN(2, 1, 0.95), distN(2, 1, 0.9)),
			predOf(distN(2, 1, 0.52), distN(2, 1, 0.8), distN(2, 0, 0.9), distN(2, 0, 0.85)),
			pair(3, 7), pair(12, 2),
			[]string{"The audio expert moved (no 51% → yes 80%)", "the inter expert flipped"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := []Source{tc.img, tc.aud}
			got := Reading(tc.desc, tc.base, tc.now, srcs, Expected(tc.desc.Classes, digitsOf(srcs), -1))
			rest := got
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("reading %q\nlacks (in order) %q", got, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	if Reading(&avDesc, nil, nil, nil, -1) != "" {
		t.Error("no prediction must give no reading")
	}
}

func TestExpected(t *testing.T) {
	digits := avDesc.Classes
	mism := append(append([]string{}, digits...), "mismatch")
	for _, tc := range []struct {
		classes []string
		ds      []int
		keep    int
		want    int
	}{
		{digits, []int{7, 7}, -1, 7},
		{digits, []int{7, 2}, -1, -1}, // a digit classifier has no answer for a broken pair...
		{digits, []int{7, 2}, 1, 2},   // ...but the shuffle keeps the label of the modality it kept
		{digits, []int{7, -1}, -1, -1},
		{digits, []int{7, -2}, -1, 7}, // a modality the demo set lacks does not count
		{[]string{"no", "yes"}, []int{4, 4}, -1, 1},
		{[]string{"no", "yes"}, []int{4, 5}, 0, 0},
		{mism, []int{3, 3}, -1, 3},
		{mism, []int{3, 8}, 0, 10},
		{[]string{"cat", "dog"}, []int{3, 3}, -1, -1},
		{[]string{"a", "b"}, []int{-2, -2}, -1, -1},
	} {
		if got := Expected(tc.classes, tc.ds, tc.keep); got != tc.want {
			t.Errorf("Expected(%v, %v, %d) = %d, want %d", tc.classes, tc.ds, tc.keep, got, tc.want)
		}
	}
}

func TestRanking(t *testing.T) {
	d := &Dist{Label: 7, Probs: []float64{0.01, 0.05, 0, 0, 0, 0, 0.0001, 0.92, 0.0099, 0.01}}
	for _, tc := range []struct {
		k    int
		want string
	}{
		{3, "7 92%, 1 5%, 0 1%"}, // 0 and 9 tie: the smaller digit first
		{1, "7 92%"},
		{0, ""},
		{-2, ""},
		{99, "7 92%, 1 5%, 0 1%, 9 1%, 8 1%, 6 0%, 2 0%, 3 0%, 4 0%, 5 0%"},
	} {
		if got := Ranking(&avDesc, d, tc.k); got != tc.want {
			t.Errorf("Ranking(k=%d) = %q, want %q", tc.k, got, tc.want)
		}
	}
	if got := Ranking(&avDesc, &Dist{Probs: []float64{0.996, 0.004}}, 2); got != "0 >99%, 1 0%" {
		t.Errorf("Ranking near 1 = %q", got)
	}
}
