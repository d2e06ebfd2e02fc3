package kern

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Hand-computed cases: the reference is the definition, so it is checked
// against numbers worked out on paper, not against itself.
func TestAvgPoolRefTable(t *testing.T) {
	// one 3x4 plane: 1..12
	src := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for _, tc := range []struct {
		name         string
		kh, kw, s, p int
		want         []float32
	}{
		{"2x2/2", 2, 2, 2, 0, []float32{3.5, 5.5}},
		{"2x2/1", 2, 2, 1, 0, []float32{3.5, 4.5, 5.5, 7.5, 8.5, 9.5}},
		{"3x3/1", 3, 3, 1, 0, []float32{6, 7}},
		// padding 1, divisor 9 (count_include_pad): corner = (1+2+5+6)/9
		{"3x3/2 pad 1", 3, 3, 2, 1, []float32{14.0 / 9, 30.0 / 9, 30.0 / 9, 54.0 / 9}},
		{"1x2/2", 1, 2, 2, 0, []float32{1.5, 3.5, 9.5, 11.5}},
	} {
		oh := (3+2*tc.p-tc.kh)/tc.s + 1
		ow := (4+2*tc.p-tc.kw)/tc.s + 1
		buf, dst := guarded(oh * ow)
		AvgPoolRef(dst, src, 1, 3, 4, tc.kh, tc.kw, tc.s, tc.p)
		checkGuards(t, tc.name, buf, oh*ow)
		if len(dst) != len(tc.want) {
			t.Fatalf("%s: %d outputs, want %d", tc.name, len(dst), len(tc.want))
		}
		for i := range dst {
			if math.Abs(float64(dst[i]-tc.want[i])) > 1e-6 {
				t.Fatalf("%s: [%d] = %g, want %g", tc.name, i, dst[i], tc.want[i])
			}
		}
	}
	g := make([]float32, 2)
	GlobalAvgPoolRef(g, append(append([]float32{}, src...), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 2, 3, 4)
	if g[0] != 6.5 || g[1] != 0 {
		t.Fatalf("GlobalAvgPoolRef = %v, want [6.5 0]", g)
	}
}

// TestGlobalAvgPool: the four-accumulator sum is within a few ulps of the
// reference's (AvgPool2x2 is in TestPool2x2).
func TestGlobalAvgPool(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, c := range []int{1, 3} {
		for _, h := range []int{1, 2, 3, 5, 8, 17} {
			for _, w := range []int{1, 2, 3, 4, 9, 16} {
				src := randF(r, c*h*w, -1, 1)
				want := make([]float32, c)
				GlobalAvgPoolRef(want, src, c, h, w)
				buf, dst := guarded(c)
				GlobalAvgPool(dst, src, c, h, w)
				checkGuards(t, "GlobalAvgPool", buf, c)
				for i := range want {
					if d := math.Abs(float64(dst[i] - want[i])); d > 1e-6 {
						t.Fatalf("GlobalAvgPool c=%d h=%d w=%d: [%d] %g want %g", c, h, w, i, dst[i], want[i])
					}
				}
			}
		}
	}
}
