package ui

import (
	"reflect"
	"strings"
	"testing"
)

func TestSelectSwapUndo(t *testing.T) {
	l := newTestLab(t, 30)
	img, aud := l.Mod("image"), l.Mod("audio")
	do(l, func() { l.Select(3) })
	if l.Base == nil || l.Now == nil || l.Base != l.Now {
		t.Fatalf("after Select: base %v now %v, want the same prediction", l.Base, l.Now)
	}
	if l.Swapped(img) || l.Swapped(aud) || l.CanUndo() {
		t.Fatal("a fresh pair must not count as swapped")
	}
	base := *l.Base
	want, err := Predict(l.Eng, Inputs{"image": Levels(l.Demo.Pairs[3].Mods["image"]), "audio": Levels(l.Demo.Pairs[13].Mods["audio"])})
	if err != nil {
		t.Fatal(err)
	}

	do(l, func() { l.SwapPair(aud, 13) })
	if !l.Swapped(aud) || l.Swapped(img) || !l.CanUndo() {
		t.Fatal("the clip must count as swapped, the image not")
	}
	if !reflect.DeepEqual(*l.Now, want) {
		t.Fatalf("prediction after the swap differs from predicting the swapped inputs directly")
	}
	if !reflect.DeepEqual(*l.Base, base) {
		t.Fatal("the intact pair's prediction must be kept as 'before'")
	}
	if l.Reading == "" || !strings.Contains(l.Reading, "audio expert") {
		t.Fatalf("reading %q does not talk about the audio expert", l.Reading)
	}

	do(l, func() { l.SwapBlank(img) })
	if l.Inputs[img].Kind != Blank || l.Now.Experts[img] == nil {
		t.Fatal("blank image not applied")
	}
	do(l, func() { l.SwapNoise(aud) })
	if l.Inputs[aud].Kind != Noise || len(l.Inputs[aud].Data) != AudioSize || l.Inputs[aud].WAV == nil {
		t.Fatal("noise clip not applied")
	}
	do(l, func() { l.Undo() })
	if l.Inputs[aud].Kind != FromPair || l.Inputs[aud].Pair != 13 || l.Inputs[img].Kind != Blank {
		t.Fatalf("undo restored %+v / %+v", l.Inputs[img].Kind, l.Inputs[aud].Kind)
	}
	do(l, func() { l.Restore() })
	if l.Swapped(img) || l.Swapped(aud) || l.CanUndo() || !reflect.DeepEqual(*l.Now, base) {
		t.Fatal("restore must bring back the intact pair and its prediction")
	}
}

func TestSwapRejectsWrongSize(t *testing.T) {
	l := newTestLab(t, 10)
	do(l, func() { l.Select(0) })
	do(l, func() { l.Swap(1, Source{Kind: Voice, Data: make([]float32, 99)}) })
	if len(l.Errors) != 1 || !strings.Contains(l.Errors[0], "99 values, the model needs 1600") {
		t.Fatalf("errors %q", l.Errors)
	}
	if l.CanUndo() {
		t.Fatal("a rejected swap must not be applied")
	}
	do(l, func() { l.SwapPair(0, 10) })
	if len(l.Errors) != 2 || !strings.Contains(l.Errors[1], "no pair #10") {
		t.Fatalf("errors %q", l.Errors)
	}
	do(l, func() { l.Dismiss(0) })
	if len(l.Errors) != 1 {
		t.Fatal("dismiss")
	}
}

func TestDrawingReplacesDrawing(t *testing.T) {
	l := newTestLab(t, 10)
	do(l, func() { l.Select(1) })
	// a vertical stroke on a transparent 100x100 canvas: a "1"
	rgba := make([]byte, 4*100*100)
	for y := 20; y < 80; y++ {
		for x := 46; x < 54; x++ {
			rgba[4*(y*100+x)+3] = 255
		}
	}
	x, err := l.Eng.ImageFromRGBA(rgba, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	do(l, func() { l.SwapDrawing(x) })
	do(l, func() { l.SwapDrawing(x) })
	if l.Inputs[0].Kind != Drawing || len(l.undo) != 1 {
		t.Fatalf("two drawings: %d undo steps, want 1", len(l.undo))
	}
}

func TestSelectDigitCycles(t *testing.T) {
	l := newTestLab(t, 40)
	seen := map[int]bool{}
	for range 4 {
		do(l, func() { l.SelectDigit(3) })
		if l.Demo.Pairs[l.Cur].Label != 3 {
			t.Fatalf("pair %d is a %d", l.Cur, l.Demo.Pairs[l.Cur].Label)
		}
		seen[l.Cur] = true
	}
	if len(seen) != 4 {
		t.Fatalf("4 picks of digit 3 gave %d different pairs, want all 4", len(seen))
	}
	do(l, func() { l.Select(-1) })
	if l.Cur != 39 {
		t.Fatalf("Select(-1) = %d, want the last pair", l.Cur)
	}
}

func TestScanAndShuffle(t *testing.T) {
	const n = 40
	l := newTestLab(t, n)
	img, aud := l.Mod("image"), l.Mod("audio")
	do(l, func() { l.StartScan() })
	if l.Scan.Running || l.Scan.Done != n {
		t.Fatalf("scan: running %v, done %d", l.Scan.Running, l.Scan.Done)
	}
	for i := range n {
		p := l.Scan.Preds[i]
		dis := p.Experts[img].Label != p.Experts[aud].Label
		listed := false
		for _, k := range l.Scan.Disagree {
			listed = listed || k == i
		}
		if dis != listed {
			t.Fatalf("pair %d: disagreement %v, listed %v", i, dis, listed)
		}
	}
	do(l, func() { l.StartShuffle() })
	s := l.Shuffle
	conds, rows := l.Conditions(), l.Desc.Rows()
	if len(conds) != 3 || len(rows) != 5 {
		t.Fatalf("conditions %q, %d rows", conds, len(rows))
	}
	if !s.Complete || s.Running || s.Done != s.Total || s.Total != len(conds)*n {
		t.Fatalf("shuffle: complete %v, %d of %d", s.Complete, s.Done, s.Total)
	}
	for i, j := range s.Partner {
		if i == j {
			t.Fatalf("pair %d is its own partner", i)
		}
	}
	for c := range conds {
		for m := range rows {
			if st := s.Stats[c][m]; st.N != n || st.Correct > n || st.Conf() <= 0 || st.Conf() > 1 {
				t.Fatalf("%s, %s: %+v", conds[c], rows[m].Name, st)
			}
		}
	}
	// The audio expert never sees the image: shuffling images cannot change it (condition 1+k
	// shuffles modality k).
	if s.Stats[1+img][aud] != s.Stats[Intact][aud] {
		t.Errorf("audio expert: %+v intact vs %+v with shuffled images", s.Stats[Intact][aud], s.Stats[1+img][aud])
	}
	if s.Stats[1+aud][img] != s.Stats[Intact][img] {
		t.Errorf("image expert changed when only the clips were shuffled")
	}
	if sum := l.ShuffleSummary(); !strings.Contains(sum, "Shuffled images: inter expert ") || !strings.Contains(sum, ", I2M2 ") || !strings.Contains(sum, "(never sees the image)") {
		t.Errorf("summary %q", sum)
	}
	// Stopping: a second run stopped at once does no work beyond its first batch.
	l.Env.Lock()
	l.StartShuffle()
	l.StopShuffle()
	l.Env.UnlockOnly()
	l.Wait()
	if l.Shuffle.Running || l.Shuffle.Complete {
		t.Fatalf("stopped run: running %v complete %v", l.Shuffle.Running, l.Shuffle.Complete)
	}
}

func TestDerangement(t *testing.T) {
	for _, n := range []int{2, 3, 10, 500} {
		p := Derangement(n, ShuffleSeed)
		seen := make([]bool, n)
		for i, j := range p {
			if i == j || seen[j] {
				t.Fatalf("n=%d: not a derangement at %d", n, i)
			}
			seen[j] = true
		}
	}
	a, b := Derangement(100, 1), Derangement(100, 1)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("not deterministic")
		}
	}
}
