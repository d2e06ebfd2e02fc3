package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/i2m2-wasm/i2m2/features"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json")

var (
	mnistOnce       sync.Once
	mnTrain, mnTest *MNIST
	mnErr           error
)

func mnist(t *testing.T) (*MNIST, *MNIST) {
	t.Helper()
	mnistOnce.Do(func() {
		var d string
		if d, mnErr = MNISTDir(); mnErr == nil {
			mnTrain, mnTest, mnErr = LoadMNIST(d)
		}
	})
	if mnErr != nil {
		t.Fatal(mnErr)
	}
	return mnTrain, mnTest
}

func dataDir(t *testing.T) string {
	t.Helper()
	d, err := DataDir(filepath.Join("..", "weights", "data"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMNIST(t *testing.T) {
	tr, te := mnist(t)
	if tr.N != 60000 || te.N != 10000 || len(tr.Images) != 60000*784 || len(te.Labels) != 10000 {
		t.Fatalf("sizes %d %d", tr.N, te.N)
	}
	var count [10]int
	for _, l := range te.Labels {
		count[l]++
	}
	if count != [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009} {
		t.Errorf("test label counts %v", count)
	}
	if te.Labels[0] != 7 || tr.Labels[0] != 5 {
		t.Errorf("first labels %d %d, want 5 (train) and 7 (test)", tr.Labels[0], te.Labels[0])
	}
}

func TestMNISTChecksumAndParseErrors(t *testing.T) {
	d, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(d, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bad := append([]byte{}, b...)
	bad[len(bad)/2] ^= 1
	p := filepath.Join(tmp, "t10k-labels-idx1-ubyte.gz")
	os.WriteFile(p, bad, 0o644)
	if _, err := readIdx(p, 2049, []int{10000}, -1); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("tampered file: %v", err)
	}
	if _, err := readIdx(filepath.Join(tmp, "missing.gz"), 2049, []int{1}, -1); err == nil {
		t.Error("missing file accepted")
	}
	mk := func(magic uint32, dims []uint32, data []byte) []byte {
		var raw bytes.Buffer
		binary.Write(&raw, binary.BigEndian, magic)
		binary.Write(&raw, binary.BigEndian, dims)
		raw.Write(data)
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(raw.Bytes())
		zw.Close()
		return z.Bytes()
	}
	if v, err := parseIdx(mk(2049, []uint32{3}, []byte{1, 2, 3}), 2049, []int{3}, "ok", -1); err != nil || v[2] != 3 {
		t.Errorf("good idx: %v %v", v, err)
	}
	for name, c := range map[string][]byte{
		"magic":     mk(2051, []uint32{3}, []byte{1, 2, 3}),
		"dims":      mk(2049, []uint32{4}, []byte{1, 2, 3, 4}),
		"truncated": mk(2049, []uint32{3}, []byte{1, 2}),
		"trailing":  mk(2049, []uint32{3}, []byte{1, 2, 3, 4}),
		"not gzip":  []byte("hello"),
	} {
		if _, err := parseIdx(c, 2049, []int{3}, name, -1); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

type goldenFile struct {
	PCAComponents int     `json:"pca_components"`
	ReconTest100  string  `json:"recon_sha256_test_first100"`
	PairTest20    []int32 `json:"pairing_seed1_test_first20_clips"`
}

func readGolden(t *testing.T) *goldenFile {
	var g goldenFile
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil && !*update {
		t.Fatal(err)
	}
	json.Unmarshal(b, &g)
	return &g
}

func writeGolden(t *testing.T, mod func(*goldenFile)) {
	g := readGolden(t)
	mod(g)
	b, _ := json.MarshalIndent(g, "", "  ")
	os.MkdirAll("testdata", 0o755)
	if err := os.WriteFile(filepath.Join("testdata", "golden.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The committed basis is what FitPCA gives on the MNIST training images, and reconstruction is
// deterministic (golden hash).
func TestPCA(t *testing.T) {
	tr, te := mnist(t)
	_, _, basis, err := LoadBank(dataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	recon := basis.Reconstruct(te.Images[:100*784])
	h := sha256.Sum256(recon)
	if *update {
		writeGolden(t, func(g *goldenFile) { g.PCAComponents = basis.K; g.ReconTest100 = hex.EncodeToString(h[:]) })
	} else {
		g := readGolden(t)
		if basis.K != g.PCAComponents || hex.EncodeToString(h[:]) != g.ReconTest100 {
			t.Errorf("PCA K=%d recon %x, golden K=%d %s", basis.K, h, g.PCAComponents, g.ReconTest100)
		}
	}
	if testing.Short() {
		return
	}
	fit, err := FitPCA(tr.Images, PCAVarianceKept)
	if err != nil {
		t.Fatal(err)
	}
	if fit.K != basis.K || math.Abs(fit.Explained-basis.Explained) > 1e-9 || fit.Explained <= PCAVarianceKept {
		t.Fatalf("fit K=%d explained %.6f, committed K=%d %.6f", fit.K, fit.Explained, basis.K, basis.Explained)
	}
	// cumulative variance of K-1 components must not exceed the threshold
	tot := float64(fit.Eigen[0]+fit.Eigen[1]+fit.Eigen[2]+fit.Eigen[3]) / fit.Explained
	prev := 0.0
	for _, e := range fit.Eigen[:fit.K-1] {
		prev += float64(e)
	}
	if prev/tot > PCAVarianceKept {
		t.Errorf("K-1 components already explain %.4f", prev/tot)
	}
	for k := 0; k < fit.K; k++ {
		dot := 0.0
		for i := 0; i < 784; i++ {
			dot += float64(fit.Components[k*784+i]) * float64(basis.Components[k*784+i])
		}
		if dot < 0.9999 {
			t.Errorf("component %d: refit . committed = %.6f", k, dot)
		}
	}
	if r2 := basis.Reconstruct(te.Images[:100*784]); !bytes.Equal(r2, recon) {
		t.Error("reconstruction not deterministic")
	}
}

func TestBankVerification(t *testing.T) {
	dir := dataDir(t)
	ix, bank, _, err := LoadBank(dir)
	if err != nil {
		t.Fatal(err)
	}
	if bank.N < 5000 || len(bank.Voices) < 10 {
		t.Errorf("bank: %d clips, %d voices", bank.N, len(bank.Voices))
	}
	for _, v := range bank.Voices {
		if (v.Split == ClipTest) != TestVoices[v.Name] {
			t.Errorf("voice %s split %d", v.Name, v.Split)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, BankFile))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	idx, _ := os.ReadFile(filepath.Join(dir, IndexFile))
	os.WriteFile(filepath.Join(tmp, IndexFile), idx, 0o644)
	pb, _ := os.ReadFile(filepath.Join(dir, PCAFile))
	os.WriteFile(filepath.Join(tmp, PCAFile), pb, 0o644)
	tampered := append([]byte{}, raw...)
	tampered[len(tampered)/3] ^= 0x40
	os.WriteFile(filepath.Join(tmp, BankFile), tampered, 0o644)
	if _, _, _, err := LoadBank(tmp); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("tampered bank: %v", err)
	}
	os.WriteFile(filepath.Join(tmp, BankFile), raw[:len(raw)-1000], 0o644)
	if _, _, _, err := LoadBank(tmp); err == nil {
		t.Error("truncated bank accepted")
	}
	if _, _, _, err := Load(Options{Root: tmp, Limit: 10}); err == nil {
		t.Error("Load accepted a truncated bank")
	}
	// the decoder itself rejects truncated or corrupt content cleanly (without the index check)
	content, err := gunzipBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 5, 12, 100, len(content) / 2, len(content) - 1} {
		z, _ := gzipLevel(content[:cut], gzip.BestSpeed)
		if _, err := UnmarshalBank(z); err == nil {
			t.Errorf("cut at %d accepted", cut)
		}
	}
	if _, err := UnmarshalBank(raw[:len(raw)/2]); err == nil {
		t.Error("truncated gzip accepted")
	}
	if ix.Files[BankFile].Bytes != int64(len(raw)) {
		t.Error("index size mismatch")
	}
	// round trip: re-encoding the decoded bank gives the committed bytes exactly
	if testing.Short() {
		return
	}
	b2, err := bank.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b2, raw) {
		t.Error("re-encoded bank differs from the committed file")
	}
}

func TestTrainValIndices(t *testing.T) {
	tr, va := TrainValIndices()
	if len(tr) != NumTrain || len(va) != NumVal {
		t.Fatal(len(tr), len(va))
	}
	seen := make([]bool, 60000)
	for _, s := range [][]int32{tr, va} {
		for _, i := range s {
			if seen[i] {
				t.Fatalf("index %d twice", i)
			}
			seen[i] = true
		}
	}
}

func checkPairing(t *testing.T, bank *Bank, s *Split, wantClip uint8) {
	t.Helper()
	if len(s.Images) != s.N*ImageSize || len(s.Audio) != s.N*AudioSize || len(s.Labels) != s.N || len(s.Voices) != s.N {
		t.Fatalf("%s: inconsistent lengths", s.Name)
	}
	for i := 0; i < s.N; i++ {
		c := s.Clips[i]
		if bank.Labels[c] != s.Labels[i] {
			t.Fatalf("%s %d: clip label %d, image label %d", s.Name, i, bank.Labels[c], s.Labels[i])
		}
		if bank.Splits[c] != wantClip {
			t.Fatalf("%s %d: clip split %d, want %d", s.Name, i, bank.Splits[c], wantClip)
		}
		if TestVoices[s.Voices[i]] != (wantClip == ClipTest) {
			t.Fatalf("%s %d: voice %s", s.Name, i, s.Voices[i])
		}
		if !bytes.Equal(s.Audio[i*AudioSize:(i+1)*AudioSize], bank.Levels[int(c)*AudioSize:(int(c)+1)*AudioSize]) {
			t.Fatalf("%s %d: audio is not clip %d", s.Name, i, c)
		}
	}
}

func TestLoadLimit(t *testing.T) {
	t0 := time.Now()
	opt := Options{Root: "..", Seed: 1, Limit: 300}
	tr, va, te, err := Load(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Load(Limit=300) took %v", time.Since(t0))
	_, bank, _, _ := LoadBank(dataDir(t))
	for _, c := range []struct {
		s    *Split
		clip uint8
	}{{tr, ClipTrain}, {va, ClipVal}, {te, ClipTest}} {
		if c.s.N != 300 {
			t.Errorf("%s: N=%d", c.s.Name, c.s.N)
		}
		checkPairing(t, bank, c.s, c.clip)
	}
	mt, mte := mnist(t)
	trIdx, _ := TrainValIndices()
	if tr.MNISTIndex[5] != trIdx[5] || tr.Labels[5] != mt.Labels[trIdx[5]] || te.Labels[9] != mte.Labels[9] {
		t.Error("labels do not follow MNIST")
	}
	img := make([]float32, ImageSize)
	aud := make([]float32, AudioSize)
	te.Sample(3, img, aud)
	if img[400] != float32(te.Images[3*784+400])/255 || aud[77] != features.Level(te.Audio[3*1600+77]) {
		t.Error("Sample values")
	}
	// deterministic: same seed, same pairing; other seed, other pairing
	_, _, te2, _ := Load(opt)
	opt.Seed = 2
	_, _, te3, _ := Load(opt)
	same, diff := true, false
	for i := 0; i < te.N; i++ {
		same = same && te.Clips[i] == te2.Clips[i]
		diff = diff || te.Clips[i] != te3.Clips[i]
	}
	if !same || !diff {
		t.Errorf("pairing determinism: same=%v differs-with-seed=%v", same, diff)
	}
	if *update {
		writeGolden(t, func(g *goldenFile) { g.PairTest20 = te.Clips[:20] })
	} else if g := readGolden(t); len(g.PairTest20) != 20 || !slices.Equal(g.PairTest20, te.Clips[:20]) {
		t.Errorf("pairing golden: %v, want %v", te.Clips[:20], g.PairTest20)
	}
	// PCA degradation visibly changes the images, CleanImages gives the originals
	_, _, tec, _ := Load(Options{Root: "..", Limit: 5, CleanImages: true})
	if !bytes.Equal(tec.Images, mte.Images[:5*784]) || bytes.Equal(tec.Images, te.Images[:5*784]) {
		t.Error("CleanImages")
	}
}

func TestLoadFull(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t0 := time.Now()
	tr, va, te, err := Load(Options{Root: ".."})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Load(all) took %v", time.Since(t0))
	if tr.N != 55000 || va.N != 5000 || te.N != 10000 {
		t.Fatalf("sizes %d %d %d", tr.N, va.N, te.N)
	}
	_, bank, _, _ := LoadBank(dataDir(t))
	checkPairing(t, bank, tr, ClipTrain)
	checkPairing(t, bank, va, ClipVal)
	checkPairing(t, bank, te, ClipTest)
}

// MNIST digits drawn on a canvas come back close to themselves through features.ImageFromRGBA
// (MNIST is already size-normalised and centred by mass).
func TestImageFeaturesOnMNIST(t *testing.T) {
	_, te := mnist(t)
	for k := 0; k < 20; k++ {
		im := te.Images[k*784 : (k+1)*784]
		rgba := make([]byte, 4*784)
		for i, v := range im {
			rgba[4*i], rgba[4*i+1], rgba[4*i+2], rgba[4*i+3] = 255-v, 255-v, 255-v, 255
		}
		q, err := features.ImageLevels(rgba, 28, 28)
		if err != nil {
			t.Fatal(err)
		}
		var sa, sb, sab float64
		for i := range q {
			a, b := float64(im[i]), float64(q[i])
			sa, sb, sab = sa+a*a, sb+b*b, sab+a*b
		}
		if c := sab / math.Sqrt(sa*sb); c < 0.8 {
			t.Errorf("digit %d: cosine %.3f between MNIST and ImageFromRGBA(MNIST)", k, c)
		}
	}
}

func TestWAVAndMuLaw(t *testing.T) {
	var b bytes.Buffer
	le := binary.LittleEndian
	samples := []int16{0, 1000, -32768, 32767}
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(36+8))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, le, []uint32{16})
	binary.Write(&b, le, []uint16{1, 1})
	binary.Write(&b, le, []uint32{22050, 44100})
	binary.Write(&b, le, []uint16{2, 16})
	b.WriteString("data")
	binary.Write(&b, le, uint32(0xFFFFFFFF)) // pipe-style size
	binary.Write(&b, le, samples)
	x, rate, err := DecodeWAV(b.Bytes())
	if err != nil || rate != 22050 || len(x) != 4 || x[1] != 1000.0/32768 || x[2] != -1 {
		t.Fatalf("DecodeWAV: %v %d %v", x, rate, err)
	}
	for _, bad := range [][]byte{nil, []byte("RIFF0000WAVE"), b.Bytes()[:30]} {
		if _, _, err := DecodeWAV(bad); err == nil {
			t.Error("bad wav accepted")
		}
	}
	for _, v := range []float32{0, 0.001, -0.01, 0.1, -0.5, 0.99, -1} {
		if d := MuLawDecode(MuLawEncode(v)); math.Abs(float64(d-v)) > 0.03*math.Abs(float64(v))+0.0005 {
			t.Errorf("mu-law %v -> %v", v, d)
		}
	}
}

// shippedDemo is weights/demo's demo set; err when the file cannot be read (one that does not
// parse fails t).
func shippedDemo(t *testing.T) (*Demo, error) {
	b, err := os.ReadFile(filepath.Join("..", "weights", "demo", DemoFile))
	if err != nil {
		return nil, err
	}
	d, err := ParseDemo(b)
	if err != nil {
		t.Fatal(err)
	}
	return d, nil
}

func TestDemoFile(t *testing.T) {
	d, err := shippedDemo(t)
	if err != nil {
		t.Skip(err)
	}
	if d.N != DemoPairs || d.NWave != DemoWaves {
		t.Errorf("demo %d pairs %d waves", d.N, d.NWave)
	}
	for i := 0; i < d.N; i++ {
		if v := d.Voices[d.Voice[i]]; !TestVoices[v] && !FSDDTestSpeakers[strings.TrimPrefix(v, "fsdd:")] {
			t.Fatalf("demo pair %d voice %s is not a test voice", i, v)
		}
	}
}
