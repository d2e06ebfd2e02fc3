package kern

// This file holds the fast float32 convolution/dense kernels:
// zero-padding once per layer so im2col needs no bounds logic, weights packed
// once per model into blocks of 4 rows, and a 4x4 register-tiled GEMM with the
// bias and an optional ReLU applied when the tile is stored. Their reference
// is Conv2DRef / DenseRef (ref.go).

// Pad copies src [c][h][w] into dst [c][h+2p][w+2p] with a zero border:
//
//	dst[ci][y+p][x+p] = src[ci][y][x], 0 elsewhere
func Pad[T float32 | int8 | uint8](dst, src []T, c, h, w, p int) {
	hp, wp := h+2*p, w+2*p
	dst = dst[:c*hp*wp]
	if p == 0 {
		copy(dst, src[:c*h*w])
		return
	}
	clear(dst)
	if h == 0 || w == 0 {
		return
	}
	rows := padRowsGo[T]
	if f, ok := any(padRowsF).(func([]T, int, []T, int, int)); ok { // float32: the SIMD body where it runs
		rows = f
	}
	for ci := 0; ci < c; ci++ {
		rows(dst[(ci*hp+p)*wp+p:][:(h-1)*wp+w], wp, src[ci*h*w:][:h*w], w, h)
	}
}

// Im2colP lays out the receptive field of every output position contiguously
// (the im2col baseline Im2colT in v0_test.go, without its padding branch),
// reading an input already zero-padded to [c][hp][wp]:
//
//	dst[(y*ow+x)*K + (ci*kh+i)*kw+j] = src[ci][y*s+i][x*s+j],  K = c*kh*kw
func Im2colP[T float32 | int8 | uint8](dst, src []T, c, hp, wp, kh, kw, s, oh, ow int) {
	k := c * kh * kw
	dst = dst[:oh*ow*k]
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			row := dst[(y*ow+x)*k:][:k]
			n := 0
			for ci := 0; ci < c; ci++ {
				base := (ci*hp+y*s)*wp + x*s
				for i := 0; i < kh; i++ {
					seg := row[n : n+kw]
					line := src[base+i*wp:][:len(seg)]
					for j, v := range line {
						seg[j] = v
					}
					n += kw
				}
			}
		}
	}
}

// PackA4 packs the row-major M x K matrix a into blocks of 4 rows, k-major
// inside a block, rows beyond M zero:
//
//	dst[(m/4)*K + k][m%4] = a[m][k],  len(dst) = ceil(M/4)*K
func PackA4(a []float32, M, K int) [][4]float32 { return packRows[[4]float32](a, M, K) }

// packRows is PackA2 and PackA4: blocks of r = len(B) rows,
//
//	dst[(m/r)*K + k][m%r] = a[m][k]
//
// Not inlined: packing runs once per layer at load, and its loop belongs in
// a leaf (model/leaf.go says why).
//
//go:noinline
func packRows[B [2]float32 | [4]float32](a []float32, M, K int) []B {
	var z B
	r := len(z)
	dst := make([]B, (M+r-1)/r*K)
	for m := 0; m < M; m++ {
		for k := 0; k < K; k++ {
			dst[(m/r)*K+k][m%r] = a[m*K+k]
		}
	}
	return dst
}

// GemmP computes, for a packed by PackA4 and bt an N x K matrix,
//
//	dst[m][n] = bias[m] + sum_k a[m][k] * bt[n][k]   (then max(0, .) if relu)
//
// with a 4x2 register tile: per k, 4 weights and 2 inputs make 8
// multiply-adds; k is unrolled by four in Go (natively; under GOOS=js the
// loop is dot4x2's WebAssembly). (A 4x4 tile needs 24 live floats; Go's
// wasm backend has 16 float32 registers, and spilling made it 3x slower.)
// It is the fast path of Conv2D (bt = Im2colP) and Dense (N = 1).
// Reference: GemmNT / DenseRef; tested against them.
func GemmP(dst []float32, ap [][4]float32, bt, bias []float32, M, N, K int, relu bool) {
	GemmPS(dst, ap, bt, bias, M, N, K, N, relu)
}

// GemmPS is GemmP over a batch: the N columns are N/pix samples of pix
// columns each (a convolution's output positions, or pix = 1 for a Dense
// layer), and each sample's M x pix output is stored on its own, so a batch
// runs as one product over batch x positions and leaves the [sample][m][pos]
// layout the next layer reads:
//
//	dst[(n/pix)*M*pix + m*pix + n%pix] = bias[m] + sum_k a[m][k] * bt[n][k]   (then max(0, .) if relu)
//
// pix = N is GemmP.
func GemmPS(dst []float32, ap [][4]float32, bt, bias []float32, M, N, K, pix int, relu bool) {
	if pix < 1 || N%pix != 0 {
		panic("kern: GemmPS columns are not whole samples")
	}
	dst = dst[:M*N]
	bt = bt[:N*K]
	bias = bias[:M]
	m := 0
	if N == 1 { // one column (a Dense layer at batch 1): four row blocks a call
		for ; m+16 <= M; m += 16 {
			var c [16]float32
			dot16x1(ap[(m/4)*K:][:4*K], bt[:K], &c)
			d := dst[m:][:16]
			for r := range d {
				v := c[r] + bias[m+r]
				if relu && v < 0 {
					v = 0
				}
				d[r] = v
			}
		}
	}
	for ; m < M; m += 4 {
		blk := ap[(m/4)*K:][:K]
		var bb [4]float32
		copy(bb[:], bias[m:min(m+4, M)])
		rows := min(4, M-m)
		n := 0
		for ; n+2 <= N; n += 2 {
			b0 := bt[n*K:][:K]
			b1 := bt[(n+1)*K:][:len(b0)]
			p := blk[:len(b0)]
			var q0, q1 quad // the tile's columns n, n+1
			k := 0
			if HaveAsm { // the same loop in WebAssembly (dot_wasm.s)
				var acc [8]float32
				dot4x2(p, b0, b1, &acc)
				q0, q1 = quad{acc[0], acc[2], acc[4], acc[6]}, quad{acc[1], acc[3], acc[5], acc[7]}
				k = len(b0)
			}
			for ; k+4 <= len(b0); k += 4 {
				a := (*[4][4]float32)(p[k:])
				x, y := b0[k:k+4], b1[k:k+4]
				q0, q1 = q0.mac(&a[0], x, 0), q1.mac(&a[0], y, 0)
				q0, q1 = q0.mac(&a[1], x, 1), q1.mac(&a[1], y, 1)
				q0, q1 = q0.mac(&a[2], x, 2), q1.mac(&a[2], y, 2)
				q0, q1 = q0.mac(&a[3], x, 3), q1.mac(&a[3], y, 3)
			}
			for ; k < len(b0); k++ {
				q0, q1 = q0.mac(&p[k], b0, k), q1.mac(&p[k], b1, k)
			}
			v0 := [4]float32{q0.c0 + bb[0], q0.c1 + bb[1], q0.c2 + bb[2], q0.c3 + bb[3]}
			v1 := [4]float32{q1.c0 + bb[0], q1.c1 + bb[1], q1.c2 + bb[2], q1.c3 + bb[3]}
			o0, o1 := colAt(n, M, pix)+m*pix, colAt(n+1, M, pix)+m*pix
			for r := 0; r < rows; r++ {
				if relu { // comparisons: the float max builtin is a runtime call in wasm
					if v0[r] < 0 {
						v0[r] = 0
					}
					if v1[r] < 0 {
						v1[r] = 0
					}
				}
				dst[o0+r*pix] = v0[r]
				dst[o1+r*pix] = v1[r]
			}
		}
		for ; n < N; n++ {
			b0 := bt[n*K:][:K]
			var c [4]float32
			dot4x1(blk[:len(b0)], b0, &c)
			c0, c1, c2, c3 := c[0], c[1], c[2], c[3]
			v := [4]float32{c0 + bb[0], c1 + bb[1], c2 + bb[2], c3 + bb[3]}
			o := colAt(n, M, pix) + m*pix
			for r := 0; r < rows; r++ {
				if relu && v[r] < 0 {
					v[r] = 0
				}
				dst[o+r*pix] = v[r]
			}
		}
	}
}

// colAt is where GemmPS stores row 0 of column n: sample n/pix, position n%pix.
func colAt(n, M, pix int) int { return (n/pix)*M*pix + n%pix }

// dot4x1 is dot4x1Go; the SIMD build (model/internal/kern/simdgen) replaces
// its body with one f32x4 multiply-add per k (the same sums in the same
// order). len(p) = len(b) (its caller slices them so).
//
//go:noinline
func dot4x1(p [][4]float32, b []float32, acc *[4]float32) { dot4x1Go(p, b, acc) }

// dot4x1Go is the single-column inner loop of GemmP (a Dense layer at batch 1):
//
//	acc[r] = sum_k p[k][r] * b[k]
func dot4x1Go(p [][4]float32, b []float32, acc *[4]float32) {
	p = p[:len(b)]
	var q quad
	k := 0
	for ; k+2 <= len(b); k += 2 {
		a := (*[2][4]float32)(p[k:])
		x := (*[2]float32)(b[k:])
		q = q.mac(&a[0], x[:], 0)
		q = q.mac(&a[1], x[:], 1)
	}
	if k < len(b) {
		q = q.mac(&p[k], b, k)
	}
	*acc = q.array()
}

// dot16x1 is dot16x1Go; the SIMD build replaces its body with one running
// the four blocks' f32x4 sums side by side (four independent chains of adds
// where dot4x1 has one; the same sums in the same order). len(p) = 4*len(b)
// (its caller slices them so).
//
//go:noinline
func dot16x1(p [][4]float32, b []float32, acc *[16]float32) { dot16x1Go(p, b, acc) }

// dot16x1Go is dot4x1Go for four consecutive row blocks of K = len(b):
//
//	acc[4j+r] = sum_k p[j*K+k][r] * b[k]
func dot16x1Go(p [][4]float32, b []float32, acc *[16]float32) {
	K := len(b)
	p = p[:4*K]
	for j := 0; j < 4; j++ {
		dot4x1Go(p[j*K:][:K], b, (*[4]float32)(acc[4*j:]))
	}
}
