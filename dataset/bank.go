package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/features"
)

// Clip splits in the bank.
const (
	ClipTrain = 0 // train voices, used to pair with the 55,000 training images
	ClipVal   = 1 // train voices, held-out clips, paired with the 5,000 validation images
	ClipTest  = 2 // test voices (held out entirely), paired with the 10,000 MNIST test images
)

// Files under weights/data/.
const (
	IndexFile = "index.json"
	BankFile  = "audio_bank.bin.gz"
	PCAFile   = "pca_basis.bin.gz"
)

// Voice is one synthetic speaker (an engine and voice/accent; variants of it share the voice).
type Voice struct {
	Name  string // e.g. "espeak-ng:en-gb-scotland", "flite:slt", "festival:ked_diphone"
	Split uint8  // ClipTrain (train and validation clips) or ClipTest
}

// Bank is the audio clip bank: noisy spoken-digit clips as uint8 log-mel spectrograms.
type Bank struct {
	Voices []Voice
	N      int
	Labels []uint8  // N, 0..9
	Splits []uint8  // N, ClipTrain / ClipVal / ClipTest
	Voice  []uint16 // N, index into Voices
	Desc   []string // N, how the clip was made (engine options, rate factor)
	Levels []uint8  // N*1600, features.AudioLevels of the noisy clip
}

const bankMagic = "AVMTTS01"

// MarshalBinary encodes the bank (little-endian), gzip-compressed:
//
//	"AVMTTS01"; uint32 nVoices; per voice: uint8 split, uint16 len, name;
//	uint32 N; uint16 40 (mel bands); uint16 40 (frames);
//	per clip: uint8 label, uint8 split, uint16 voice, uint16 len, desc;
//	N*1600 uint8 levels (clip-major, each [40 bands][40 frames]).
func (b *Bank) MarshalBinary() ([]byte, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	var w bytes.Buffer
	le := binary.LittleEndian
	w.WriteString(bankMagic)
	binary.Write(&w, le, uint32(len(b.Voices)))
	for _, v := range b.Voices {
		w.WriteByte(v.Split)
		binary.Write(&w, le, uint16(len(v.Name)))
		w.WriteString(v.Name)
	}
	binary.Write(&w, le, uint32(b.N))
	binary.Write(&w, le, uint16(features.MelBands))
	binary.Write(&w, le, uint16(features.Frames))
	for i := 0; i < b.N; i++ {
		w.WriteByte(b.Labels[i])
		w.WriteByte(b.Splits[i])
		binary.Write(&w, le, b.Voice[i])
		binary.Write(&w, le, uint16(len(b.Desc[i])))
		w.WriteString(b.Desc[i])
	}
	w.Write(b.Levels)
	return gzipBytes(w.Bytes())
}

func (b *Bank) check() error {
	if len(b.Labels) != b.N || len(b.Splits) != b.N || len(b.Voice) != b.N || len(b.Desc) != b.N ||
		len(b.Levels) != b.N*features.AudioSize {
		return errors.New("dataset: bank: inconsistent lengths")
	}
	for i := 0; i < b.N; i++ {
		if b.Labels[i] > 9 || b.Splits[i] > ClipTest || int(b.Voice[i]) >= len(b.Voices) {
			return fmt.Errorf("dataset: bank: clip %d: bad label/split/voice", i)
		}
		vs := b.Voices[b.Voice[i]].Split
		if (b.Splits[i] == ClipTest) != (vs == ClipTest) {
			return fmt.Errorf("dataset: bank: clip %d: split %d but voice %q is split %d", i, b.Splits[i], b.Voices[b.Voice[i]].Name, vs)
		}
	}
	return nil
}

// UnmarshalBank decodes MarshalBinary's output, with clear errors for truncated or corrupt data.
func UnmarshalBank(data []byte) (*Bank, error) {
	raw, err := gunzipBytes(data)
	if err != nil {
		return nil, fmt.Errorf("dataset: bank: %w", err)
	}
	r := bytes.NewReader(raw)
	le := binary.LittleEndian
	fail := func(what string, err error) (*Bank, error) {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("dataset: bank truncated (%s)", what)
		}
		return nil, fmt.Errorf("dataset: bank: %s: %v", what, err)
	}
	magic := make([]byte, len(bankMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != bankMagic {
		return nil, errors.New("dataset: bank: bad magic")
	}
	var nv uint32
	if err := binary.Read(r, le, &nv); err != nil {
		return fail("voices", err)
	}
	if nv > 65535 {
		return nil, errors.New("dataset: bank: too many voices")
	}
	b := &Bank{}
	readStr := func() (string, error) {
		var l uint16
		if err := binary.Read(r, le, &l); err != nil {
			return "", err
		}
		s := make([]byte, l)
		if _, err := io.ReadFull(r, s); err != nil {
			return "", err
		}
		return string(s), nil
	}
	for i := 0; i < int(nv); i++ {
		sp, err := r.ReadByte()
		if err != nil {
			return fail("voices", err)
		}
		name, err := readStr()
		if err != nil {
			return fail("voices", err)
		}
		b.Voices = append(b.Voices, Voice{Name: name, Split: sp})
	}
	var n uint32
	var hw [2]uint16
	if err := binary.Read(r, le, &n); err != nil {
		return fail("header", err)
	}
	if err := binary.Read(r, le, &hw); err != nil {
		return fail("header", err)
	}
	if hw[0] != features.MelBands || hw[1] != features.Frames {
		return nil, fmt.Errorf("dataset: bank: spectrograms are %dx%d, want %dx%d", hw[0], hw[1], features.MelBands, features.Frames)
	}
	if int64(n)*features.AudioSize > int64(len(raw)) {
		return nil, fmt.Errorf("dataset: bank truncated (%d clips declared, %d bytes)", n, len(raw))
	}
	b.N = int(n)
	b.Labels = make([]uint8, n)
	b.Splits = make([]uint8, n)
	b.Voice = make([]uint16, n)
	b.Desc = make([]string, n)
	for i := 0; i < b.N; i++ {
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return fail("clip table", err)
		}
		b.Labels[i], b.Splits[i], b.Voice[i] = hdr[0], hdr[1], le.Uint16(hdr[2:])
		if b.Desc[i], err = readStr(); err != nil {
			return fail("clip table", err)
		}
	}
	b.Levels = make([]uint8, b.N*features.AudioSize)
	if _, err := io.ReadFull(r, b.Levels); err != nil {
		return fail("spectrograms", err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("dataset: bank: %d trailing bytes", r.Len())
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	return b, nil
}

// Index is weights/data/index.json: the committed files with sizes and sha256s, and how they were made.
type Index struct {
	Format string               `json:"format"`
	Files  map[string]FileEntry `json:"files"`
	Audio  AudioInfo            `json:"audio"`
	PCA    PCAInfo              `json:"pca"`
	FSDD   *FSDDInfo            `json:"fsdd,omitempty"`
}

// FSDDInfo describes the committed real recordings (FSDDFile).
type FSDDInfo struct {
	Source       string         `json:"source"`
	Encoding     string         `json:"encoding"`
	Speakers     []string       `json:"speakers"`
	TestSpeakers []string       `json:"test_speakers"` // held out of training and validation
	Clips        map[string]int `json:"clips"`         // per split: train, val (train speakers, recordings 0-4), test
}

// FileEntry is one committed file.
type FileEntry struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// AudioInfo describes the clip bank.
type AudioInfo struct {
	Shape        []int          `json:"shape"`
	SNRdB        float64        `json:"snr_db"`
	Noise        string         `json:"noise"`
	Features     string         `json:"features"`
	Clips        map[string]int `json:"clips"` // per clip split: train, val, test
	ClipsByVoice map[string]int `json:"clips_by_voice"`
	Seed         uint64         `json:"seed"`
	Extra        map[string]any `json:"extra,omitempty"`
}

// PCAInfo describes the PCA basis.
type PCAInfo struct {
	Components int     `json:"components"`
	Explained  float64 `json:"explained_variance"`
	Threshold  float64 `json:"threshold"`
	FitOn      string  `json:"fit_on"`
}

// IndexFormat is the value of Index.Format.
const IndexFormat = "avmnist-tts/1"

// ReadVerified reads file name from dir and checks its size and sha256 against the index.
func (ix *Index) ReadVerified(dir, name string) ([]byte, error) {
	fe, ok := ix.Files[name]
	if !ok {
		return nil, fmt.Errorf("dataset: %s not listed in %s", name, IndexFile)
	}
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w (regenerate with scripts/dataset/synth.sh)", err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != fe.SHA256 || int64(len(b)) != fe.Bytes {
		return nil, fmt.Errorf("dataset: %s: %d bytes sha256 %s, index says %d bytes sha256 %s (corrupt, truncated or stale)",
			p, len(b), got, fe.Bytes, fe.SHA256)
	}
	return b, nil
}

// ReadIndex reads dir/index.json.
func ReadIndex(dir string) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", IndexFile, err)
	}
	if ix.Format != IndexFormat {
		return nil, fmt.Errorf("dataset: %s: format %q, want %q", IndexFile, ix.Format, IndexFormat)
	}
	return &ix, nil
}

// WriteFile writes data to dir/name and records it in the index.
func (ix *Index) WriteFile(dir, name string, data []byte) error {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if ix.Files == nil {
		ix.Files = map[string]FileEntry{}
	}
	ix.Files[name] = FileEntry{Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	return nil
}

// Save writes dir/index.json.
func (ix *Index) Save(dir string) error {
	ix.Format = IndexFormat
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, IndexFile), append(b, '\n'), 0o644)
}
