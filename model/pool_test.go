package model

import (
	"errors"
	"testing"
)

// poolModel is a two-modality model whose experts use both average-pooling
// kinds: a padded 3x3/2 AvgPool2D and a 2x2/2 one (the fast kernel) in the
// intra experts, GlobalAvgPool in an inter branch.
func poolModel(t testing.TB) *Model {
	t.Helper()
	conv := func(in, out, k, pad int) Layer {
		return Layer{Kind: Conv2D, InC: in, OutC: out, KH: k, KW: k, Stride: 1, Pad: pad}
	}
	mlp := func(in, hidden, out int) []Layer {
		return []Layer{{Kind: Dense, In: in, Out: hidden}, {Kind: ReLU}, {Kind: Dense, In: hidden, Out: out}}
	}
	m := &Model{
		Name:       "pools",
		Modalities: []Modality{{Name: "a", Shape: Shape{1, 12, 12}}, {Name: "b", Shape: Shape{2, 9, 7}}},
		Classes:    []string{"x", "y", "z"},
		Experts: []Expert{
			{Name: "a", Inputs: []string{"a"}, Branches: [][]Layer{{
				conv(1, 4, 3, 1), {Kind: ReLU}, {Kind: AvgPool2D, KH: 2, KW: 2, Stride: 2}, {Kind: Flatten},
			}}, Head: mlp(4*6*6, 8, 3)},
			{Name: "b", Inputs: []string{"b"}, Branches: [][]Layer{{
				conv(2, 3, 3, 0), {Kind: ReLU}, {Kind: AvgPool2D, KH: 3, KW: 3, Stride: 2, Pad: 1}, {Kind: Flatten},
			}}, Head: mlp(3*4*3, 8, 3)},
			{Name: "inter", Inputs: []string{"a", "b"}, Branches: [][]Layer{
				{conv(1, 5, 5, 2), {Kind: ReLU}, {Kind: GlobalAvgPool}},
				{conv(2, 6, 3, 1), {Kind: ReLU}, {Kind: GlobalAvgPool}, {Kind: Flatten}},
			}, Head: mlp(11, 8, 3)},
		},
	}
	m.eachLayer(func(_ layerName, l *Layer) {
		if l.hasWeights() {
			l.W = make([]float32, l.Rows()*l.Cols())
			l.B = make([]float32, l.Rows())
		}
	})
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	mustInit(t, m, 3)
	return m
}

func TestAvgPoolPathsAgree(t *testing.T) {
	m := poolModel(t)
	in := testInputs(m)
	ref := mustPredict(t, m, Reference, in)
	fast := mustPredict(t, m, Fast, in)
	for i := range ref.Experts {
		if d := maxDiff(ref.Experts[i].Logits, fast.Experts[i].Logits); d > tolFastVsRef {
			t.Errorf("expert %s: float32 vs reference logits differ by %g", ref.Experts[i].Name, d)
		}
	}
	mustQuantize(t, m)
	ref, _ = m.Predict(Reference, in)
	q := mustPredict(t, m, Quantized, in)
	for i := range q.Experts {
		if d := maxDiff(ref.Experts[i].Probs, q.Experts[i].Probs); d > tolInt8VsRef {
			t.Errorf("expert %s: int8 vs reference probs differ by %g", q.Experts[i].Name, d)
		}
	}
	// the file keeps the kinds: a round trip predicts the same
	m2 := roundTrip(t, m)
	r2, _ := m2.Predict(Quantized, in)
	if d := maxDiff(q.Probs, r2.Probs); d != 0 {
		t.Fatalf("round trip changed int8 probabilities by %g", d)
	}
}

func TestAvgPoolGeometry(t *testing.T) {
	s := Shape{3, 8, 8}
	for _, tc := range []struct {
		l    Layer
		want Shape
		err  bool
	}{
		{Layer{Kind: GlobalAvgPool}, Shape{3, 1, 1}, false},
		{Layer{Kind: AvgPool2D, KH: 2, KW: 2, Stride: 2}, Shape{3, 4, 4}, false},
		{Layer{Kind: AvgPool2D, KH: 3, KW: 3, Stride: 2, Pad: 1}, Shape{3, 4, 4}, false},
		{Layer{Kind: AvgPool2D, KH: 8, KW: 8, Stride: 1}, Shape{3, 1, 1}, false},
		{Layer{Kind: AvgPool2D, KH: 2, KW: 2, Stride: 2, Pad: 2}, Shape{}, true}, // pad > half the window
		{Layer{Kind: AvgPool2D, KH: 9, KW: 2, Stride: 1}, Shape{}, true},         // larger than the input
		{Layer{Kind: AvgPool2D, KH: 0, KW: 2, Stride: 1}, Shape{}, true},
		{Layer{Kind: AvgPool2D, KH: 2, KW: 2, Stride: 0}, Shape{}, true},
		{Layer{Kind: AvgPool2D, KH: 65, KW: 2, Stride: 1}, Shape{}, true},
		{Layer{Kind: AvgPool2D, KH: 2, KW: 2, Stride: 1, Pad: -1}, Shape{}, true},
	} {
		p := &plan{}
		got, err := p.layers([]Layer{tc.l}, s, "t")
		if tc.err {
			if !errors.Is(err, errShape) {
				t.Errorf("%+v: err %v, want errShape", tc.l, err)
			}
			continue
		}
		if err != nil || got[0] != tc.want {
			t.Errorf("%+v: %v %v, want %v", tc.l, got, err, tc.want)
		}
	}
}

func TestPoolCost(t *testing.T) {
	for _, tc := range []struct {
		l     Layer
		s, os Shape
		want  workCost
	}{
		{Layer{Kind: GlobalAvgPool}, Shape{3, 4, 5}, Shape{3, 1, 1}, workCost{Moves: 60 + 2*3}},
		{Layer{Kind: AvgPool2D, KH: 2, KW: 2, Stride: 2}, Shape{3, 4, 4}, Shape{3, 2, 2}, workCost{Moves: 12*4 + 2*12}},
		{Layer{Kind: MaxPool2D, KH: 2, KW: 2, Stride: 2}, Shape{3, 4, 4}, Shape{3, 2, 2}, workCost{Compares: 12 * 4, Moves: 12}},
	} {
		if c := poolCost(&tc.l, tc.s, tc.os); c != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.l.Kind, c, tc.want)
		}
	}
}
