package kern

import "unsafe"

// This file holds the fast int8 kernels. Go's wasm backend has no
// SIMD and does integer arithmetic in i64 registers, so the kernels put two
// 32-bit lanes in one int64 and get two multiply-adds per multiplication:
// weights of rows m and m+1 are packed as w[m][k] + w[m+1][k]<<32 (at model
// load), and
//
//	(w0 + w1<<32) * x = w0*x + (w1*x)<<32
//
// so an int64 accumulator sums both rows' dot products at once. The low lane
// may borrow from the high one (w0*x < 0), which extraction undoes:
// lo = int64(int32(acc)), hi = (acc - lo) >> 32. This is exact as long as each
// lane's final sum fits in int32, so K is bounded: |w| <= 127, |x| <= 255 and
// K <= MaxPairK give |sum| <= 127*255*MaxPairK < 2^31. Wraparound of the
// int64 in between does not matter (arithmetic mod 2^64).
//
// Activations are quantised per tensor; a tensor with no negative value (the
// usual case after ReLU) uses uint8 0..255, twice the precision of int8.

// MaxPairK bounds K for the paired kernels: 127*255*MaxPairK < 2^31.
const MaxPairK = 66000

// PackPairs packs the int8 M x K matrix a (|a| <= 127) into blocks of 4 rows,
// two int64 lanes each, rows beyond M zero:
//
//	dst[(m/4)*K + k][j] = a[m+2j][k] + a[m+2j+1][k] << 32,  m = 4*(block)
//
// Not inlined: packing runs once per layer at load, and its loop belongs in
// a leaf (model/leaf.go says why).
//
//go:noinline
func PackPairs(a []int8, M, K int) [][2]int64 {
	dst := make([][2]int64, (M+3)/4*K)
	for m := 0; m < M; m++ {
		for k := 0; k < K; k++ {
			v := int64(a[m*K+k])
			if m%2 == 1 {
				v <<= 32
			}
			dst[(m/4)*K+k][(m%4)/2] += v
		}
	}
	return dst
}

// QuantizeAct quantises x per tensor for the int8 kernels. If no value is
// negative it writes u (uint8, scale max/255) and returns unsigned = true;
// otherwise s (int8, symmetric, scale max|x|/127). The scale is 0 for an
// all-zero x. Each value is round(x/scale), halves away from zero.
func QuantizeAct(u []uint8, s []int8, x []float32) (scale float32, unsigned bool) {
	var amax, lo float32
	for _, v := range x {
		// Comparisons, not the min/max builtins: for floats those are runtime
		// calls under GOOS=js (they handle NaN and -0, which cannot occur here).
		if v < lo {
			lo = v
		}
		if v > amax {
			amax = v
		} else if -v > amax {
			amax = -v
		}
	}
	if lo >= 0 {
		u = u[:len(x)]
		if amax == 0 {
			clear(u)
			return 0, true
		}
		inv := 255 / amax
		for i, v := range x {
			u[i] = uint8(v*inv + 0.5)
		}
		return amax / 255, true
	}
	s = s[:len(x)]
	inv := 127 / amax
	for i, v := range x {
		s[i] = int8(roundHalfAway(v * inv))
	}
	return amax / 127, false
}

// GemmPair is GemmNT8Ref with packed weights and 8-bit activations of either
// sign, and an optional ReLU:
//
//	dst[m][n] = bias[m] + sa[m]*sb * sum_k a[m][k]*bt[n][k]   (then max(0, .) if relu)
//
// with a (4 rows) x (2 columns) tile held in 4 int64 accumulators: per k two
// weight loads and two input loads make 8 multiply-adds; k unrolled by four.
// (A 4x4 tile in 8 accumulators was 10-25% slower under GOOS=js: Go's wasm
// backend kept them all on the stack.) K must be at most
// MaxPairK (the caller falls back to GemmNT8Ref-like loops otherwise). Exact:
// equal to GemmNT8Ref bit for bit (same integer sums, same float expression).
func GemmPair[T int8 | uint8](dst []float32, ap [][2]int64, sa []float32, bt []T, sb float32, bias []float32, M, N, K int, relu bool) {
	dst = dst[:M*N]
	bt = bt[:N*K]
	bias = bias[:M]
	sa = sa[:M]
	bu, asm := asUint8(bt) // uint8: inner loop in WebAssembly (dotPair4x2u)
	asm = asm && HaveAsm
	for m := 0; m < M; m += 4 {
		blk := ap[(m/4)*K:][:K]
		rows := min(4, M-m)
		var bb, ss [4]float32
		copy(bb[:], bias[m:m+rows])
		copy(ss[:], sa[m:m+rows])
		for i := range ss {
			ss[i] *= sb
		}
		n := 0
		for ; n+2 <= N; n += 2 {
			b0 := bt[n*K:][:K]
			b1 := bt[(n+1)*K:][:len(b0)]
			p := blk[:len(b0)]
			var e quad64 // e[pair*2+column]
			k := 0
			if asm {
				a := dotPair4x2u(p, bu[n*K:][:K], bu[(n+1)*K:][:K])
				e = quad64{a[0], a[1], a[2], a[3]}
				k = len(b0)
			}
			for ; k+4 <= len(b0); k += 4 {
				w := (*[4][2]int64)(p[k:])
				x, y := b0[k:k+4], b1[k:k+4]
				e = pair2x2(e, &w[0], x, y, 0)
				e = pair2x2(e, &w[1], x, y, 1)
				e = pair2x2(e, &w[2], x, y, 2)
				e = pair2x2(e, &w[3], x, y, 3)
			}
			for ; k < len(b0); k++ {
				e = pair2x2(e, &p[k], b0, b1, k)
			}
			for c, e := range [2][2]int64{{e.e0, e.e2}, {e.e1, e.e3}} {
				s0, s1 := split(e[0])
				s2, s3 := split(e[1])
				out(dst, m*N+n+c, N, rows, relu, &bb, &ss, [4]int64{s0, s1, s2, s3})
			}
		}
		for ; n < N; n++ {
			b0 := bt[n*K:][:K]
			p := blk[:len(b0)]
			var e0, e1 int64
			for k, v0 := range b0 {
				x := int64(v0)
				e0 += p[k][0] * x
				e1 += p[k][1] * x
			}
			s0, s1 := split(e0)
			s2, s3 := split(e1)
			out(dst, m*N+n, N, rows, relu, &bb, &ss, [4]int64{s0, s1, s2, s3})
		}
	}
}

// split extracts the two int32 lanes of a paired accumulator.
func split(e int64) (lo, hi int64) {
	lo = int64(int32(e))
	return lo, (e - lo) >> 32
}

// out stores up to 4 rows of one column: bias + (sa*sb) * sum, as GemmNT8Ref.
func out(dst []float32, i, N, rows int, relu bool, bb, ss *[4]float32, s [4]int64) {
	for r := 0; r < rows; r++ {
		v := bb[r] + ss[r]*float32(int32(s[r]))
		if relu && v < 0 {
			v = 0
		}
		dst[i+r*N] = v
	}
}

// asUint8 returns x as a []uint8 when T is uint8 (without boxing the slice,
// which would allocate).
func asUint8[T int8 | uint8](x []T) ([]uint8, bool) {
	var z T
	if _, ok := any(z).(uint8); !ok {
		return nil, false
	}
	return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(x))), len(x)), true
}
