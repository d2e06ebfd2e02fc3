package features

import "math"

// Deterministic elementary functions.
//
// The features must be bit-for-bit identical in the native trainer (amd64, maybe GOAMD64=v3, arm64)
// and in the browser (GOOS=js GOARCH=wasm). The standard library's math.Log and math.Exp have
// assembly implementations on some architectures, and the Go compiler may fuse x*y+z into an FMA on
// some architectures, so the results could differ in the last bit between platforms. These helpers use
// only IEEE-754 +, -, *, / (correctly rounded everywhere) with every product wrapped in an explicit
// float64 conversion, which the Go specification guarantees prevents fusion. They are used for the
// tables built once at start-up (window, sinc kernel, mel filterbank, quantisation thresholds).
// math.Floor, math.Frexp, math.Ldexp and math.Sqrt are exact on every platform and may be used.

const (
	detPi   = 3.14159265358979323846264338327950288419716939937510582097494459
	detLn2  = 0.693147180559945309417232121458176568075500134360255254120680009
	detLn10 = 2.30258509299404568401799145468436420760110148862877297603332790
)

// detExp returns e**x for moderate |x| (|x| < 700).
func detExp(x float64) float64 {
	k := math.Floor(x/detLn2 + 0.5)
	r := x - float64(k*detLn2)
	// Taylor series of e**r for |r| <= ln2/2.
	sum, term := 1.0, 1.0
	for n := 1; n <= 25; n++ {
		term = float64(term*r) / float64(n)
		sum += term
	}
	return math.Ldexp(sum, int(k))
}

// detLog returns the natural logarithm of x > 0.
func detLog(x float64) float64 {
	m, e := math.Frexp(x) // x = m * 2**e, m in [0.5, 1)
	if m < 0.70710678118654752440 {
		m *= 2
		e--
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	sum, p := 0.0, s
	for n := 1; n <= 61; n += 2 {
		sum += p / float64(n)
		p = float64(p * s2)
	}
	return float64(2*sum) + float64(float64(e)*detLn2)
}

// detCos returns cos(x).
func detCos(x float64) float64 {
	r := reduceAngle(x)
	r2 := float64(r * r)
	sum, term := 1.0, 1.0
	for n := 1; n <= 30; n++ {
		term = -float64(term*r2) / float64((2*n-1)*(2*n))
		sum += term
	}
	return sum
}

// detSin returns sin(x).
func detSin(x float64) float64 {
	r := reduceAngle(x)
	r2 := float64(r * r)
	sum, term := r, r
	for n := 1; n <= 30; n++ {
		term = -float64(term*r2) / float64((2*n)*(2*n+1))
		sum += term
	}
	return sum
}

// reduceAngle maps x to about [-pi, pi] (deterministically, not exactly).
func reduceAngle(x float64) float64 {
	k := math.Floor(x/(2*detPi) + 0.5)
	return x - float64(k*(2*detPi))
}
