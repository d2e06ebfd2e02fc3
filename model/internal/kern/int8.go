package kern

import "math"

// QuantizeSym quantises x symmetrically to int8 with one scale for the whole
// tensor (activations are quantised on the fly, per sample):
//
//	scale = max|x| / 127, dst[i] = round(x[i] / scale)
//
// It returns the scale (0 when x is all zeros, and then dst is all zeros).
func QuantizeSym(dst []int8, x []float32) float32 {
	dst = dst[:len(x)]
	var amax float32
	for _, v := range x {
		if v < 0 {
			v = -v
		}
		if v > amax {
			amax = v
		}
	}
	if amax == 0 {
		for i := range dst {
			dst[i] = 0
		}
		return 0
	}
	inv := 127 / amax
	for i, v := range x {
		dst[i] = int8(roundHalfAway(v * inv))
	}
	return amax / 127
}

// roundHalfAway rounds to nearest, halves away from zero, as math.Round; the
// result of |v| <= 127 stays within int8.
func roundHalfAway(v float32) int32 {
	if v >= 0 {
		return int32(v + 0.5)
	}
	return -int32(-v + 0.5)
}

// Im2colT8 is Im2colT for int8 data (padding is the int8 zero, which is the
// real zero under symmetric quantisation).
func Im2colT8(dst, src []int8, c, h, w, kh, kw, s, p, oh, ow int) {
	im2colT(dst, src, c, h, w, kh, kw, s, p, oh, ow)
}

// GemmNT8Ref is the reference int8 product: int32 accumulation, scales applied
// once per output:
//
//	dst[m][n] = bias[m] + sa[m] * sb * sum_k int32(a[m][k]) * int32(bt[n][k])
//
// bt holds int8 or uint8 activations.
func GemmNT8Ref[T int8 | uint8](dst []float32, a []int8, sa []float32, bt []T, sb float32, bias []float32, M, N, K int) {
	for m := 0; m < M; m++ {
		for n := 0; n < N; n++ {
			var acc int32
			for k := 0; k < K; k++ {
				acc += int32(a[m*K+k]) * int32(bt[n*K+k])
			}
			dst[m*N+n] = bias[m] + sa[m]*sb*float32(acc)
		}
	}
}

// GemmNT8 is the fast GemmNT8Ref: four output rows at a time, accumulators in
// locals, bounds checks hoisted out of the inner loop. Exact (integer sums),
// so it must equal GemmNT8Ref bit for bit.
func GemmNT8(dst []float32, a []int8, sa []float32, bt []int8, sb float32, bias []float32, M, N, K int) {
	a = a[:M*K]
	bt = bt[:N*K]
	dst = dst[:M*N]
	bias = bias[:M]
	sa = sa[:M]
	m := 0
	for ; m+4 <= M; m += 4 {
		a0 := a[m*K : m*K+K]
		a1 := a[(m+1)*K : (m+1)*K+K]
		a2 := a[(m+2)*K : (m+2)*K+K]
		a3 := a[(m+3)*K : (m+3)*K+K]
		s0, s1, s2, s3 := sa[m]*sb, sa[m+1]*sb, sa[m+2]*sb, sa[m+3]*sb
		for n := 0; n < N; n++ {
			b := bt[n*K : n*K+K]
			b = b[:len(a0)]
			a1 := a1[:len(a0)]
			a2 := a2[:len(a0)]
			a3 := a3[:len(a0)]
			var c0, c1, c2, c3 int32
			for k, bv8 := range b {
				bv := int32(bv8)
				c0 += int32(a0[k]) * bv
				c1 += int32(a1[k]) * bv
				c2 += int32(a2[k]) * bv
				c3 += int32(a3[k]) * bv
			}
			dst[m*N+n] = bias[m] + s0*float32(c0)
			dst[(m+1)*N+n] = bias[m+1] + s1*float32(c1)
			dst[(m+2)*N+n] = bias[m+2] + s2*float32(c2)
			dst[(m+3)*N+n] = bias[m+3] + s3*float32(c3)
		}
	}
	for ; m < M; m++ {
		a0 := a[m*K : m*K+K]
		s0 := sa[m] * sb
		for n := 0; n < N; n++ {
			b := bt[n*K : n*K+K]
			b = b[:len(a0)]
			var c0 int32
			for k, bv := range b {
				c0 += int32(a0[k]) * int32(bv)
			}
			dst[m*N+n] = bias[m] + s0*float32(c0)
		}
	}
}

// LogSoftmax writes log_softmax(x) to dst: x[i] - logsumexp(x).
func LogSoftmax(dst, x []float32) {
	dst = dst[:len(x)]
	mx := x[0]
	for _, v := range x {
		if v > mx {
			mx = v
		}
	}
	var sum float64
	for _, v := range x {
		sum += math.Exp(float64(v - mx))
	}
	// (v - mx) - log(sum), not v - (mx + log(sum)): with large logits the
	// latter rounds mx + log(sum) to float32 and loses the small part.
	l := float32(math.Log(sum))
	for i, v := range x {
		dst[i] = (v - mx) - l
	}
}
