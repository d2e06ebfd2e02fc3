package train

import "math/rand/v2"

// Synthetic returns n samples of the real shapes whose image and audio both
// carry the label (class-dependent stripes plus noise): for tests and
// development when the AV-MNIST-TTS bank is not available. Deterministic.
func Synthetic(n int, seed uint64) *Data {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &Data{N: n, Images: make([]uint8, n*784), Audio: make([]uint8, n*1600), Labels: make([]uint8, n)}
	for i := 0; i < n; i++ {
		y := r.IntN(10)
		d.Labels[i] = uint8(y)
		for p := 0; p < 784; p++ {
			v := 40 * r.Float64()
			if (p/28)/3 == y || (p%28)/3 == y+(i&1) {
				v += 120
			}
			d.Images[i*784+p] = uint8(v)
		}
		for p := 0; p < 1600; p++ {
			v := 60 * r.Float64()
			if (p/40)/4 == y && r.Float64() < 0.6 {
				v += 100
			}
			d.Audio[i*1600+p] = uint8(v)
		}
	}
	return d
}
