package dataset

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The Free Spoken Digit Dataset (FSDD, Jakobovski et al., CC BY-SA 4.0): real recordings of five
// people saying 0-9, 8 kHz mono. The repository keeps them as G.711 mu-law (8 bits per sample,
// gzip-compressed, 7.6 MB for 2,500 clips instead of 18 MB of 16-bit PCM): the decoded mu-law
// samples ARE the clips for every use here (training, evaluation, demo set), so there is one
// waveform per clip and the features of a clip are reproducible from the committed file alone.
const (
	FSDDFile  = "fsdd.bin.gz" // under weights/data, listed in index.json
	FSDDRate  = 8000
	fsddMagic = "FSDDMU01"
	// FSDDValIndex: recordings 0..4 of each digit and train speaker are the validation clips (the
	// dataset's own test convention, used here for model selection only).
	FSDDValIndex = 5
)

// FSDDSpeakers are the five speakers, in file order. FSDDTestSpeakers are held out of training
// and validation entirely (one US-English and one German-accented speaker; the other three train).
var (
	FSDDSpeakers     = []string{"george", "jackson", "lucas", "theo", "yweweler"}
	FSDDTestSpeakers = map[string]bool{"lucas": true, "theo": true}
)

// FSDD is the committed recording set.
type FSDD struct {
	N       int
	Labels  []uint8 // digit
	Speaker []uint8 // index into FSDDSpeakers
	Index   []uint8 // recording number 0..49 of this digit and speaker
	Start   []int   // N+1 offsets into MuLaw: clip i is MuLaw[Start[i]:Start[i+1]]
	MuLaw   []byte  // G.711 mu-law samples at FSDDRate
}

// PCM decodes clip i to float32 samples in [-1, 1] at FSDDRate.
func (f *FSDD) PCM(i int) []float32 {
	b := f.MuLaw[f.Start[i]:f.Start[i+1]]
	out := make([]float32, len(b))
	for k, v := range b {
		out[k] = MuLawDecode(v)
	}
	return out
}

// Split returns ClipTrain, ClipVal or ClipTest for clip i (by speaker, then recording number).
func (f *FSDD) Split(i int) uint8 {
	switch {
	case FSDDTestSpeakers[FSDDSpeakers[f.Speaker[i]]]:
		return ClipTest
	case f.Index[i] < FSDDValIndex:
		return ClipVal
	}
	return ClipTrain
}

// Name is the clip's original file name, {digit}_{speaker}_{index}.wav.
func (f *FSDD) Name(i int) string {
	return fmt.Sprintf("%d_%s_%d.wav", f.Labels[i], FSDDSpeakers[f.Speaker[i]], f.Index[i])
}

// ImportFSDD reads dir/recordings/*.wav (checked against dir/SHA256SUMS), in speaker, digit and
// index order, and mu-law encodes them.
func ImportFSDD(dir string) (*FSDD, error) {
	sums, err := readSums(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	f := &FSDD{Start: []int{0}}
	for s, spk := range FSDDSpeakers {
		for d := 0; d < 10; d++ {
			for k := 0; k < 50; k++ {
				name := fmt.Sprintf("%d_%s_%d.wav", d, spk, k)
				b, err := os.ReadFile(filepath.Join(dir, "recordings", name))
				if err != nil {
					return nil, fmt.Errorf("dataset: fsdd: %w", err)
				}
				h := sha256.Sum256(b)
				if want, ok := sums[name]; !ok || want != hex.EncodeToString(h[:]) {
					return nil, fmt.Errorf("dataset: fsdd: %s does not match SHA256SUMS", name)
				}
				pcm, rate, err := DecodeWAV(b)
				if err != nil {
					return nil, fmt.Errorf("dataset: fsdd: %s: %w", name, err)
				}
				if rate != FSDDRate {
					return nil, fmt.Errorf("dataset: fsdd: %s: %d Hz, want %d", name, rate, FSDDRate)
				}
				for _, v := range pcm {
					f.MuLaw = append(f.MuLaw, MuLawEncode(v))
				}
				f.Labels = append(f.Labels, uint8(d))
				f.Speaker = append(f.Speaker, uint8(s))
				f.Index = append(f.Index, uint8(k))
				f.Start = append(f.Start, len(f.MuLaw))
				f.N++
			}
		}
	}
	return f, nil
}

func readSums(path string) (map[string]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: fsdd: %w", err)
	}
	defer fh.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		if len(parts) == 2 {
			m[filepath.Base(strings.TrimPrefix(parts[1], "*"))] = parts[0]
		}
	}
	return m, sc.Err()
}

// MarshalBinary encodes the set, gzip-compressed: "FSDDMU01"; uint32 N; per clip uint8 label,
// uint8 speaker, uint8 index, uint32 samples; then all mu-law bytes, clip after clip.
func (f *FSDD) MarshalBinary() ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var w bytes.Buffer
	w.WriteString(fsddMagic)
	binary.Write(&w, binary.LittleEndian, uint32(f.N))
	for i := 0; i < f.N; i++ {
		w.Write([]byte{f.Labels[i], f.Speaker[i], f.Index[i]})
		binary.Write(&w, binary.LittleEndian, uint32(f.Start[i+1]-f.Start[i]))
	}
	w.Write(f.MuLaw)
	return gzipBytes(w.Bytes())
}

func (f *FSDD) check() error {
	if len(f.Labels) != f.N || len(f.Speaker) != f.N || len(f.Index) != f.N || len(f.Start) != f.N+1 ||
		f.Start[0] != 0 || f.Start[f.N] != len(f.MuLaw) {
		return errors.New("dataset: fsdd: inconsistent lengths")
	}
	for i := 0; i < f.N; i++ {
		if f.Labels[i] > 9 || int(f.Speaker[i]) >= len(FSDDSpeakers) || f.Index[i] >= 50 {
			return fmt.Errorf("dataset: fsdd: clip %d: bad label/speaker/index", i)
		}
		if n := f.Start[i+1] - f.Start[i]; n < 1 || n > 30*FSDDRate {
			return fmt.Errorf("dataset: fsdd: clip %d: %d samples", i, n)
		}
	}
	return nil
}

// UnmarshalFSDD decodes MarshalBinary's output, with clear errors for truncated or corrupt data.
func UnmarshalFSDD(data []byte) (*FSDD, error) {
	raw, err := gunzipBytes(data)
	if err != nil {
		return nil, fmt.Errorf("dataset: fsdd: %w", err)
	}
	if len(raw) < 12 || string(raw[:8]) != fsddMagic {
		return nil, errors.New("dataset: fsdd: bad magic")
	}
	n := int(binary.LittleEndian.Uint32(raw[8:]))
	if n > len(raw)/7 {
		return nil, fmt.Errorf("dataset: fsdd truncated (%d clips declared, %d bytes)", n, len(raw))
	}
	f := &FSDD{N: n, Start: make([]int, 1, n+1)}
	p := 12
	for i := 0; i < n; i++ {
		if p+7 > len(raw) {
			return nil, errors.New("dataset: fsdd truncated (clip table)")
		}
		f.Labels = append(f.Labels, raw[p])
		f.Speaker = append(f.Speaker, raw[p+1])
		f.Index = append(f.Index, raw[p+2])
		l := int(binary.LittleEndian.Uint32(raw[p+3:]))
		if l > len(raw) {
			return nil, fmt.Errorf("dataset: fsdd: clip %d: %d samples", i, l)
		}
		f.Start = append(f.Start, f.Start[i]+l)
		p += 7
	}
	if len(raw)-p != f.Start[n] {
		return nil, fmt.Errorf("dataset: fsdd: %d sample bytes, table says %d", len(raw)-p, f.Start[n])
	}
	f.MuLaw = raw[p:]
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

// LoadFSDD reads and verifies weights/data/fsdd.bin.gz (dir as from DataDir).
func LoadFSDD(dir string) (*FSDD, error) { return loadVerified(dir, FSDDFile, UnmarshalFSDD) }

// LabelFromName returns the digit of a file named "{digit}_*" (FSDD's and the demo set's
// convention), or -1.
func LabelFromName(path string) int {
	base := filepath.Base(path)
	if len(base) < 2 || base[1] != '_' || base[0] < '0' || base[0] > '9' {
		return -1
	}
	return int(base[0] - '0')
}
