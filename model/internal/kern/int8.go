package kern

import "math"

// roundHalfAway rounds to nearest, halves away from zero, as math.Round; the
// result of |v| <= 127 stays within int8.
func roundHalfAway(v float32) int32 {
	if v >= 0 {
		return int32(v + 0.5)
	}
	return -int32(-v + 0.5)
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
