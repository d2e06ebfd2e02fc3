package ui

import (
	"strings"
	"testing"
)

// dist returns a distribution with probability p on digit d and the rest spread evenly.
func dist(d int, p float64) *Dist {
	x := &Dist{Label: d}
	for i := range x.Probs {
		x.Probs[i] = (1 - p) / (Digits - 1)
	}
	x.Probs[d] = p
	return x
}

func pred(img, aud, inter, final int, conf float64) *Prediction {
	return &Prediction{Image: dist(img, conf), Audio: dist(aud, conf), Inter: dist(inter, conf), IntraOnly: dist(final, conf), Final: *dist(final, conf)}
}

func TestReading(t *testing.T) {
	pair := func(i, label int) Source { return Source{Kind: FromPair, Pair: i, Label: label} }
	for _, tc := range []struct {
		name      string
		base, now *Prediction
		img, aud  Source
		want      []string // substrings, in order
	}{
		{"intact, agree", pred(7, 7, 7, 7, 0.9), pred(7, 7, 7, 7, 0.9), pair(3, 7), pair(3, 7),
			[]string{"All three experts say 7", "90%", "right"}},
		{"intact, disagree and wrong", pred(7, 1, 1, 1, 0.6), pred(7, 1, 1, 1, 0.6), pair(3, 7), pair(3, 7),
			[]string{"The experts disagree (image 7, audio 1, inter 1)", "picks 1", "wrong: the pair is a 7"}},
		{"audio swapped, followed, inter lost, combination kept", pred(7, 7, 7, 7, 0.9),
			&Prediction{Image: dist(7, 0.9), Audio: dist(2, 0.8), Inter: dist(7, 0.4), Final: *dist(7, 0.6)},
			pair(3, 7), pair(12, 2),
			[]string{"The audio expert followed the new clip (2, 80%)", "the inter expert lost confidence (90% → 40%) because the pairing broke", "the combination kept 7, the image's digit."}},
		{"image swapped, ignored", pred(7, 7, 7, 7, 0.9),
			&Prediction{Image: dist(7, 0.5), Audio: dist(7, 0.9), Inter: dist(7, 0.85), Final: *dist(7, 0.9)},
			pair(14, 4), pair(3, 7),
			[]string{"The image expert still says 7 although the new image shows 4", "the inter expert barely moved", "the combination kept 7, the clip's digit"}},
		{"image blank, combination switched", pred(7, 1, 7, 7, 0.9),
			&Prediction{Image: dist(0, 0.3), Audio: dist(1, 0.9), Inter: dist(1, 0.7), Final: *dist(1, 0.8)},
			Source{Kind: Blank, Data: make([]float32, ImageSize)}, pair(3, 7),
			[]string{"The image expert has little to go on in a blank image (30% on 0)", "the inter expert switched from 7 to 1 because the pairing broke", "the combination switched from 7 to 1, the clip's digit"}},
		{"voice", pred(7, 7, 7, 7, 0.9),
			&Prediction{Image: dist(7, 0.9), Audio: dist(3, 0.7), Inter: dist(7, 0.95), Final: *dist(7, 0.9)},
			pair(3, 7), Source{Kind: Voice, Data: make([]float32, AudioSize)},
			[]string{"The audio expert reads your voice as 3 (70%)", "the inter expert barely moved", "kept 7, the image's digit"}},
		{"audio expert missing", pred(7, 7, 7, 7, 0.9),
			&Prediction{Image: dist(7, 0.9), Final: *dist(7, 0.9)},
			pair(3, 7), pair(5, 5),
			[]string{"The audio expert was not used", "the combination kept 7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Reading(tc.base, tc.now, 3, 7, tc.img, tc.aud)
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
	if Reading(nil, nil, 0, 0, Source{}, Source{}) != "" {
		t.Error("no prediction must give no reading")
	}
}

func TestRanking(t *testing.T) {
	d := &Dist{Label: 7, Probs: [Digits]float64{0.01, 0.05, 0, 0, 0, 0, 0.0001, 0.92, 0.0099, 0.01}}
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
		if got := Ranking(d, tc.k); got != tc.want {
			t.Errorf("Ranking(k=%d) = %q, want %q", tc.k, got, tc.want)
		}
	}
	if got := Ranking(&Dist{Probs: [Digits]float64{0.996, 0.004}}, 2); got != "0 >99%, 1 0%" {
		t.Errorf("Ranking near 1 = %q", got)
	}
}
