// Package speech tells speech from silence in a recording, by one rule: a frame is speech when its
// mean power is above both RelDB below the loudest frame's and AbsRMS squared. features.AudioFromPCM
// (step 2: trim the silence around a spoken digit) and the lab's input check (ui/inputcheck.go:
// refuse a click) both judge with it; it is a package of its own so that the lab's wasm, which
// runs inference through the JS module, links neither features nor model.
package speech

const (
	RelDB  = -30.0 // frames more than 30 dB below the loudest frame are silence
	AbsRMS = 3e-4  // frames below -70 dBFS RMS are silence whatever the loudest frame
)

// Frames returns the first and the last speech frame of x, cut into frames of frame samples hop
// apart (len(x) >= frame > 0, hop > 0); first is -1 when no frame is speech. features uses 20 ms
// frames with a 10 ms hop.
func Frames[T float32 | float64](x []T, frame, hop int) (first, last int) {
	e := make([]float64, 1+(len(x)-frame)/hop)
	emax := 0.0
	for f := range e {
		s := 0.0
		for _, v := range x[f*hop : f*hop+frame] {
			w := float64(v)
			s += w * w
		}
		e[f] = s / float64(frame)
		if e[f] > emax {
			emax = e[f]
		}
	}
	thr := emax * 0.001 // RelDB: 10^(-30/10)
	if abs := AbsRMS * AbsRMS; thr < abs {
		thr = abs
	}
	first, last = -1, -1
	for f, v := range e {
		if v > thr {
			if first < 0 {
				first = f
			}
			last = f
		}
	}
	return first, last
}
