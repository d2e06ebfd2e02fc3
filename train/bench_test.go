package train

import (
	"math/rand/v2"
	"testing"
)

func newExperts(t testing.TB, names ...string) []*Expert[float32] {
	r := rand.New(rand.NewPCG(1, 2))
	var ex []*Expert[float32]
	for _, n := range names {
		var e *Expert[float32]
		var err error
		switch n {
		case "image", "audio":
			e, err = NewExpert[float32](n, []string{n}, 3, 100, r)
		case "inter":
			e, err = NewExpert[float32](n, []string{"image", "audio"}, 6, 100, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		ex = append(ex, e)
	}
	return ex
}

// BenchmarkStep measures one training step (batch 40: forward, backward,
// SGD) per expert set; samples/s = 40 / (ns/op).
func BenchmarkStep(b *testing.B) {
	d := Synthetic(40, 1)
	idx := make([]int, 40)
	for i := range idx {
		idx[i] = i
	}
	for _, set := range [][]string{{"image"}, {"audio"}, {"inter"}, {"image", "audio"}, {"image", "audio", "inter"}} {
		b.Run(join(set), func(b *testing.B) {
			ex := newExperts(b, set...)
			var ps []*Param[float32]
			for _, e := range ex {
				ps = append(ps, e.Params()...)
			}
			bt := batch[float32]{x: map[string]Act[float32]{}}
			bt.fill(d, idx)
			logits := make([]Act[float32], len(ex))
			dz := make([]float32, 400)
			cfg := Config{LR: 0.01, Momentum: 0.9, WeightDecay: 1e-4, Clip: 8}
			b.ReportAllocs()
			for b.Loop() {
				for i, e := range ex {
					logits[i] = e.Forward(bt.x, true)
				}
				PoENLL(logits, bt.y, dz)
				for _, e := range ex {
					e.Backward(Act[float32]{C: 10, B: 40, H: 1, W: 1, D: dz})
				}
				step(ps, cfg)
			}
			b.ReportMetric(40*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += "+"
		}
		out += v
	}
	return out
}
