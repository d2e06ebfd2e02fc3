package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// PCAVarianceKept: keep the leading principal components until their cumulative explained variance
// first exceeds this fraction (the paper's AV-MNIST removes 75% of the energy).
const PCAVarianceKept = 0.25

const pixels = 28 * 28

// PCA is a principal-component basis of 28x28 images scaled to [0, 1].
type PCA struct {
	K          int
	Mean       []float32 // 784
	Components []float32 // K*784, unit rows, sign fixed so each row's largest-|.| entry is positive
	Eigen      []float32 // K leading variances
	Explained  float64   // cumulative explained variance ratio of the K components
}

// FitPCA fits the basis on n images (uint8, n*784), keeping components until the cumulative
// explained variance first exceeds `kept`. Covariance divides by n; eigenvectors by gonum EigenSym.
func FitPCA(images []uint8, kept float64) (*PCA, error) {
	n := len(images) / pixels
	if n < 2 || len(images) != n*pixels {
		return nil, fmt.Errorf("dataset: FitPCA: %d bytes is not a whole number (>=2) of 28x28 images", len(images))
	}
	var sum [pixels]float64
	cov := make([]float64, pixels*pixels) // upper triangle used
	idx := make([]int, 0, pixels)
	val := make([]float64, 0, pixels)
	for s := 0; s < n; s++ {
		im := images[s*pixels : (s+1)*pixels]
		idx, val = idx[:0], val[:0]
		for i, v := range im {
			if v != 0 {
				x := float64(v) / 255
				idx = append(idx, i)
				val = append(val, x)
				sum[i] += x
			}
		}
		for a, i := range idx {
			xi := val[a]
			row := cov[i*pixels:]
			for b := a; b < len(idx); b++ {
				row[idx[b]] += xi * val[b]
			}
		}
	}
	p := &PCA{Mean: make([]float32, pixels)}
	mean := make([]float64, pixels)
	for i := range mean {
		mean[i] = sum[i] / float64(n)
		p.Mean[i] = float32(mean[i])
	}
	sym := mat.NewSymDense(pixels, nil)
	total := 0.0
	for i := 0; i < pixels; i++ {
		for j := i; j < pixels; j++ {
			c := cov[i*pixels+j]/float64(n) - mean[i]*mean[j]
			sym.SetSym(i, j, c)
		}
		total += sym.At(i, i)
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return nil, errors.New("dataset: FitPCA: eigendecomposition failed")
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	cum := 0.0
	for j := pixels - 1; j >= 0; j-- {
		cum += vals[j]
		p.K++
		p.Eigen = append(p.Eigen, float32(vals[j]))
		col := make([]float64, pixels)
		big := 0
		for i := range col {
			col[i] = vecs.At(i, j)
			if math.Abs(col[i]) > math.Abs(col[big]) {
				big = i
			}
		}
		sign := 1.0
		if col[big] < 0 {
			sign = -1
		}
		for _, v := range col {
			p.Components = append(p.Components, float32(sign*v))
		}
		if cum/total > kept {
			break
		}
	}
	p.Explained = cum / total
	return p, nil
}

// Reconstruct projects each image (uint8, n*784) on the basis and back, clips to [0, 1] and rounds
// to uint8. All arithmetic is float64 from the float32 basis, with explicit conversions that forbid
// fused multiply-add, so the result is identical on every platform.
func (p *PCA) Reconstruct(images []uint8) []uint8 {
	n := len(images) / pixels
	out := make([]uint8, n*pixels)
	mean := make([]float64, pixels)
	for i, v := range p.Mean {
		mean[i] = float64(v)
	}
	comp := make([]float64, len(p.Components))
	for i, v := range p.Components {
		comp[i] = float64(v)
	}
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lo, hi := n*w/workers, n*(w+1)/workers
			p.reconstructRange(images, out, mean, comp, lo, hi)
		}(w)
	}
	wg.Wait()
	return out
}

const pcaMagic = "AVMPCA01"

// MarshalBinary encodes the basis: magic "AVMPCA01", uint32 K, uint32 784, float64 Explained, then
// float32 Mean[784], Components[K*784], Eigen[K] (all little-endian), gzip-compressed.
func (p *PCA) MarshalBinary() ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(pcaMagic)
	binary.Write(&raw, binary.LittleEndian, uint32(p.K))
	binary.Write(&raw, binary.LittleEndian, uint32(pixels))
	binary.Write(&raw, binary.LittleEndian, p.Explained)
	binary.Write(&raw, binary.LittleEndian, p.Mean)
	binary.Write(&raw, binary.LittleEndian, p.Components)
	binary.Write(&raw, binary.LittleEndian, p.Eigen)
	return gzipBytes(raw.Bytes())
}

// UnmarshalPCA decodes MarshalBinary's output.
func UnmarshalPCA(b []byte) (*PCA, error) {
	raw, err := gunzipBytes(b)
	if err != nil {
		return nil, fmt.Errorf("dataset: PCA basis: %w", err)
	}
	r := bytes.NewReader(raw)
	magic := make([]byte, len(pcaMagic))
	var k, d uint32
	p := &PCA{}
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != pcaMagic {
		return nil, errors.New("dataset: PCA basis: bad magic")
	}
	if err := binary.Read(r, binary.LittleEndian, &k); err != nil {
		return nil, fmt.Errorf("dataset: PCA basis: %w", err)
	}
	if err := binary.Read(r, binary.LittleEndian, &d); err != nil || d != pixels || k == 0 || k > pixels {
		return nil, fmt.Errorf("dataset: PCA basis: bad shape K=%d D=%d", k, d)
	}
	p.K = int(k)
	p.Mean = make([]float32, pixels)
	p.Components = make([]float32, p.K*pixels)
	p.Eigen = make([]float32, p.K)
	for _, v := range []any{&p.Explained, p.Mean, p.Components, p.Eigen} {
		if err := binary.Read(r, binary.LittleEndian, v); err != nil {
			return nil, fmt.Errorf("dataset: PCA basis truncated: %w", err)
		}
	}
	if r.Len() != 0 {
		return nil, errors.New("dataset: PCA basis: trailing bytes")
	}
	for _, v := range p.Components {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errors.New("dataset: PCA basis: non-finite value")
		}
	}
	return p, nil
}

func gzipBytes(b []byte) ([]byte, error) { return gzipLevel(b, gzip.BestCompression) }

func gzipLevel(b []byte, level int) ([]byte, error) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, level)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func gunzipBytes(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func (p *PCA) reconstructRange(images, out []uint8, mean, comp []float64, lo, hi int) {
	x := make([]float64, pixels)
	c := make([]float64, p.K)
	for s := lo; s < hi; s++ {
		for i, v := range images[s*pixels : (s+1)*pixels] {
			x[i] = float64(v)/255 - mean[i]
		}
		for k := range c {
			row := comp[k*pixels : (k+1)*pixels]
			acc := 0.0
			for i, v := range row {
				acc += float64(v * x[i])
			}
			c[k] = acc
		}
		o := out[s*pixels : (s+1)*pixels]
		for i := range o {
			r := mean[i]
			for k, ck := range c {
				r += float64(ck * comp[k*pixels+i])
			}
			q := math.Floor(float64(r*255) + 0.5)
			switch {
			case q <= 0:
				o[i] = 0
			case q >= 255:
				o[i] = 255
			default:
				o[i] = uint8(q)
			}
		}
	}
}
