package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var testFiles = []string{"tiny-f32.i2m2", "tiny-int8.i2m2"}

// resum recomputes the trailing checksum of a (tampered) file.
func resum(b []byte) []byte {
	b = append([]byte(nil), b...)
	n := len(b) - checksumBytes
	s := sha256.Sum256(b[:n])
	copy(b[n:], s[:])
	return b
}

// fileWithHeader builds a file from a JSON header with no tensors.
func fileWithHeader(hj string, dataLen uint64) []byte {
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(hj)))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint64(b, dataLen)
	b = append(b, hj...)
	for len(b)%alignment != 0 {
		b = append(b, 0)
	}
	return b
}

// sweepStep is 1 natively; under GOOS=js (about 10x slower) it visits every
// offset within 3 bytes of a region boundary and every 7th one in between.
func sweepStep(i int, b []byte) int {
	if runtime.GOOS != "js" {
		return 1
	}
	hlen := int(binary.LittleEndian.Uint32(b[8:]))
	for _, edge := range []int{0, 4, 8, 12, 16, fixedHeader, fixedHeader + hlen, alignUp(fixedHeader + hlen), len(b) - checksumBytes, len(b)} {
		if i >= edge-3 && i < edge+3 {
			return 1
		}
	}
	return 7
}

func TestTruncatedEveryLength(t *testing.T) {
	for _, name := range testFiles {
		b := readTestdata(t, name)
		for n := 0; n < len(b); n += sweepStep(n, b) {
			_, err := Read(b[:n])
			want := errTruncated
			if n < len(magic) {
				want = errBadMagic
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s cut to %d bytes: %v, want %v", name, n, err, want)
			}
		}
		if _, err := Read(append(b[:len(b):len(b)], 0)); !errors.Is(err, errShape) {
			t.Fatalf("%s with a trailing byte: %v, want errShape", name, err)
		}
	}
}

// TestBitFlips flips one bit in every byte of each file and checks that the
// error names the region it hit.
func TestBitFlips(t *testing.T) {
	for _, name := range testFiles {
		b := readTestdata(t, name)
		hlen := int(binary.LittleEndian.Uint32(b[8:]))
		start := alignUp(fixedHeader + hlen)
		for i := 0; i < len(b); i += sweepStep(i, b) {
			c := append([]byte(nil), b...)
			c[i] ^= 1 << (i % 8)
			_, err := Read(c)
			var want []error
			region := ""
			switch {
			case i < 4:
				region, want = "magic", []error{errBadMagic}
			case i < 8:
				region, want = "version", []error{errVersion}
			case i < 12:
				region, want = "header length", []error{errHeader, errTruncated}
			case i < 16:
				region, want = "reserved", []error{errHeader}
			case i < 24:
				region, want = "data length", []error{errShape}
			case i < fixedHeader+hlen:
				// A flipped JSON byte may still parse (a digit changes a size,
				// a letter a name): then the sizes or the checksum catch it.
				region, want = "header JSON", []error{errHeader, errShape, errLayer, ErrLimit, errChecksum, errTruncated}
			case i < start:
				region, want = "padding", []error{errChecksum}
			case i < len(b)-checksumBytes:
				region, want = "tensors", []error{errChecksum}
			default:
				region, want = "checksum", []error{errChecksum}
			}
			ok := false
			for _, w := range want {
				ok = ok || errors.Is(err, w)
			}
			if !ok {
				t.Fatalf("%s: bit flip at byte %d (%s): %v, want one of %v", name, i, region, err, want)
			}
		}
	}
}

// TestTamperedWeights changes tensors and fixes the checksum up: the reader
// must still reject values no writer produces.
func TestTamperedWeights(t *testing.T) {
	f32 := readTestdata(t, "tiny-f32.i2m2")
	i8 := readTestdata(t, "tiny-int8.i2m2")
	start := func(b []byte) int { return alignUp(fixedHeader + int(binary.LittleEndian.Uint32(b[8:]))) }
	put := func(b []byte, off int, f float32) []byte {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[off:], math.Float32bits(f))
		return resum(c)
	}
	s8 := start(i8)
	// tiny's first layer is conv 1->2 3x3: 18 int8 weights, then 2 scales at s8+64.
	neg := append([]byte(nil), i8...)
	neg[s8+3] = 0x80
	// The message names the layer (formatted only for a message: model.go's layerName).
	for _, tc := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"f32 NaN weight", put(f32, start(f32)+4, float32(math.NaN())), "a.a.0.conv2d weight 1 is NaN"},
		{"f32 -Inf weight", put(f32, start(f32)+64, float32(math.Inf(-1))), "a.a.0.conv2d weight 16 is -Inf"},
		{"int8 -128", resum(neg), "a.a.0.conv2d holds -128 (int8 weights are in [-127, 127])"},
		{"int8 neg scale", put(i8, s8+64, -1), "a.a.0.conv2d scale 0 is -1"},
		{"int8 NaN scale", put(i8, s8+64, float32(math.NaN())), "a.a.0.conv2d scale 0 is NaN"},
		{"int8 Inf bias", put(i8, s8+128, float32(math.Inf(1))), "a.a.0.conv2d bias 0 is +Inf"},
		{"int8 Inf scale", put(i8, s8+64+4, float32(math.Inf(1))), "a.a.0.conv2d scale 1 is +Inf"},
		{"f32 NaN in head", put(f32, len(f32)-checksumBytes-64, float32(math.NaN())), "inter.head.2.dense bias 0 is NaN"},
	} {
		_, err := Read(tc.file)
		if !errors.Is(err, errInvalidWeight) || err.Error() != "i2m2: invalid weight value: "+tc.msg {
			t.Errorf("%s: %v, want errInvalidWeight: %s", tc.name, err, tc.msg)
		}
	}
}

const tinyHeader = `{"name":"t","modalities":[{"name":"a","shape":%s}],"classes":["x","y"],"quantization":"float32",` +
	`"experts":[{"name":"a","inputs":["a"],"branches":[[%s]],"head":[%s]}],"provenance":{}}`

func hostile(shape, branch, head string) string { return fmt.Sprintf(tinyHeader, shape, branch, head) }

// TestHostileHeaders: headers that describe absurd sizes give the right
// typed error, without allocating what they describe.
func TestHostileHeaders(t *testing.T) {
	dense2 := `{"kind":"dense","in":4,"out":2}`
	bigAbsent := fileWithHeader(hostile("[1,1,4096]", `{"kind":"flatten"}`,
		`{"kind":"dense","in":4096,"out":15000},{"kind":"dense","in":15000,"out":2}`), uint64(4096*15000*4+alignUp(15000*4)+alignUp(15000*2*4)+64))
	cases := []struct {
		name string
		file []byte
		want error
	}{
		{"huge conv", fileWithHeader(hostile("[64,64,64]",
			`{"kind":"conv2d","in_channels":64,"out_channels":4096,"kernel_h":64,"kernel_w":64,"stride":1,"pad":32},{"kind":"flatten"}`,
			`{"kind":"dense","in":4,"out":2}`), 0), ErrLimit},
		{"4096x4096x64x64 conv", fileWithHeader(hostile("[4096,64,64]",
			`{"kind":"conv2d","in_channels":4096,"out_channels":4096,"kernel_h":64,"kernel_w":64,"stride":64,"pad":0},{"kind":"flatten"}`,
			`{"kind":"dense","in":4096,"out":2}`), 0), ErrLimit},
		{"huge modality", fileWithHeader(hostile("[4096,4096,4096]", `{"kind":"flatten"}`, dense2), 0), ErrLimit},
		{"dim over max", fileWithHeader(hostile("[1,1,100000]", `{"kind":"flatten"}`, dense2), 0), errShape},
		{"huge dense", fileWithHeader(hostile("[1,2048,2048]", `{"kind":"flatten"}`,
			`{"kind":"dense","in":4194304,"out":4194304},{"kind":"dense","in":4194304,"out":2}`), 0), ErrLimit},
		{"negative dims", fileWithHeader(hostile("[1,-4,4]", `{"kind":"flatten"}`, dense2), 0), errShape},
		{"2-d shape", fileWithHeader(hostile("[4,4]", `{"kind":"flatten"}`, dense2), 0), errShape},
		{"unknown layer", fileWithHeader(hostile("[1,2,2]", `{"kind":"attention"}`, dense2), 0), errLayer},
		{"unknown key", fileWithHeader(strings.Replace(hostile("[1,2,2]", `{"kind":"flatten"}`, dense2), `"name":"t"`, `"name":"t","x":1`, 1), 0), errHeader},
		{"bad JSON", fileWithHeader(`{"name":`, 0), errHeader},
		{"trailing JSON", fileWithHeader(hostile("[1,2,2]", `{"kind":"flatten"}`, dense2)+`{}`, 0), errHeader},
		{"head not dense", fileWithHeader(hostile("[1,2,2]", `{"kind":"flatten"}`, `{"kind":"relu"}`), 0), errShape},
		{"wrong head outputs", fileWithHeader(hostile("[1,2,2]", `{"kind":"flatten"}`, `{"kind":"dense","in":4,"out":3}`), 0), errShape},
		{"data length 2^63", fileWithHeader(hostile("[1,2,2]", `{"kind":"flatten"}`, dense2), 1<<63), errShape},
		// 61 M float32 weights (245 MB) described, none present: over the
		// default budget, and without one the reader must notice the file is
		// short before allocating them (below).
		{"big but legal, absent", bigAbsent, errBudget},
		{"too many experts", fileWithHeader(`{"name":"t","modalities":[{"name":"a","shape":[1,1,1]}],"classes":["x","y"],"quantization":"float32","experts":[`+
			strings.Repeat(`{"name":"e","inputs":["a"],"branches":[[]],"head":[]},`, 40)+`{}]}`, 0), ErrLimit},
		{"too many layers", fileWithHeader(hostile("[1,2,2]", strings.Repeat(`{"kind":"relu"},`, 100)+`{"kind":"flatten"}`, dense2), 0), ErrLimit},
		{"bad quantization", fileWithHeader(strings.Replace(hostile("[1,2,2]", `{"kind":"flatten"}`, dense2), `"float32"`, `"int4"`, 1), 0), errHeader},
		{"unknown modality", fileWithHeader(strings.Replace(hostile("[1,2,2]", `{"kind":"flatten"}`, dense2), `"inputs":["a"]`, `"inputs":["b"]`, 1), 0), errHeader},
	}
	for _, tc := range append(cases, struct {
		name string
		file []byte
		want error
	}{"big, absent, no budget", bigAbsent, errTruncated}) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		read := Read
		if tc.want == errTruncated {
			read = func(b []byte) (*Model, error) { return ReadWithBudget(b, 0, 0) }
		}
		_, err := read(tc.file)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > maxReadAlloc {
			t.Errorf("%s: Read allocated %d bytes (limit %d)", tc.name, d, maxReadAlloc)
		}
	}
	// header length field out of range, or longer than the file
	b := fileWithHeader(hostile("[1,2,2]", `{"kind":"flatten"}`, dense2), 0)
	for _, tc := range []struct {
		hlen uint32
		want error
	}{{0, errHeader}, {maxHeaderBytes + 1, errHeader}, {math.MaxUint32, errHeader}, {maxHeaderBytes, errTruncated}} {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[8:], tc.hlen)
		if _, err := Read(c); !errors.Is(err, tc.want) {
			t.Errorf("header length %d: %v, want %v", tc.hlen, err, tc.want)
		}
	}
	c := append([]byte(nil), b...)
	c[4] = 2
	if _, err := Read(c); !errors.Is(err, errVersion) {
		t.Errorf("version 2: %v", err)
	}
}

// maxReadAlloc bounds what Read may allocate on a hostile file of a few
// hundred bytes.
const maxReadAlloc = 4 << 20

// TestDecodeHeaderAccepts: the header decoder reads what encoding/json
// writes (compact and indented, with escapes), null as a zero value, and
// every JSON number form where the field takes it.
func TestDecodeHeaderAccepts(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	m.Name = "a \"quoted\"\n\tname \u00e9 \U0001F600 </script>"
	m.Provenance = Provenance{Data: "d\\", Seed: -7, Created: "x/y", Metrics: map[string]float64{"acc": 0.125, "big": 1e300, "neg": -2.5e-7}}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	hj := b[fixedHeader : fixedHeader+int(binary.LittleEndian.Uint32(b[8:]))]
	var v any
	if err := json.Unmarshal(hj, &v); err != nil {
		t.Fatal(err)
	}
	indented, _ := json.MarshalIndent(v, " ", "\t")
	for _, h := range [][]byte{hj, indented} {
		got, err := parseHeader(h, defaultBudget)
		if err != nil {
			t.Fatalf("%v\n%s", err, h)
		}
		if got.Name != m.Name || !reflect.DeepEqual(got.Provenance, m.Provenance) || len(got.Experts) != len(m.Experts) {
			t.Fatalf("read %q %+v, wrote %q %+v", got.Name, got.Provenance, m.Name, m.Provenance)
		}
		for i := range m.Experts {
			for bi := range m.Experts[i].Branches {
				if !reflect.DeepEqual(toHLayers(got.Experts[i].Branches[bi]), toHLayers(m.Experts[i].Branches[bi])) {
					t.Fatalf("expert %d branch %d differs", i, bi)
				}
			}
		}
	}
	base := `{"name":"t","modalities":[{"name":"a","shape":[1,2,2]}],"classes":["x","y"],"quantization":"float32","experts":[{"name":"a","inputs":["a"],"branches":[[{"kind":"flatten"}]],"head":[{"kind":"dense","in":4,"out":2,"pad":null}]}],"provenance":{"seed":-0,"metrics":{"a":1E2,"b":null,"c":-0.5e-1}}}`
	got, err := parseHeader([]byte(base), defaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]float64{"a": 100, "b": 0, "c": -0.05}; !reflect.DeepEqual(got.Provenance.Metrics, want) {
		t.Errorf("metrics %v, want %v", got.Provenance.Metrics, want)
	}
	for name, h := range map[string]string{
		"fraction in an int":   replace1(base, `"in":4`, `"in":4.0`),
		"exponent in an int":   replace1(base, `"in":4`, `"in":4e0`),
		"int overflow":         replace1(base, `"in":4`, `"in":99999999999999999999`),
		"string for an int":    replace1(base, `"in":4`, `"in":"4"`),
		"number for a string":  replace1(base, `"name":"t"`, `"name":1`),
		"float out of range":   replace1(base, `"a":1E2`, `"a":1e999`),
		"trailing comma":       replace1(base, `"x","y"]`, `"x","y",]`),
		"trailing data":        base + `]`,
		"leading zero":         replace1(base, `"in":4`, `"in":04`),
		"bare minus":           replace1(base, `"in":4`, `"in":-`),
		"control character":    replace1(base, `"name":"t"`, "\"name\":\"t\x01\""),
		"unterminated":         base[:40],
		"object for an array":  replace1(base, `"classes":["x","y"]`, `"classes":{}`),
		"duplicate metric":     replace1(base, `"b":null`, `"a":null`),
		"bad escape":           replace1(base, `"name":"t"`, `"name":"\x"`),
		"duplicate layer key":  replace1(base, `"in":4`, `"in":4,"in":4`),
		"unknown layer key":    replace1(base, `"in":4`, `"in":4,"In":4`),
		"true for a number":    replace1(base, `"in":4`, `"in":true`),
		"missing colon":        replace1(base, `"name":"t"`, `"name" "t"`),
		"metrics not a number": replace1(base, `"a":1E2`, `"a":[1]`),
	} {
		if _, err := parseHeader([]byte(h), defaultBudget); !errors.Is(err, errHeader) {
			t.Errorf("%s: %v, want errHeader", name, err)
		}
	}
}

// TestHeaderJSON: the hand-written header is what encoding/json writes for
// the header struct, byte for byte (so files written before it are unchanged).
func TestHeaderJSON(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	for _, pv := range []Provenance{{}, {Data: "d<&>\"\u2028\xff", Seed: 9, Created: "c", Metrics: map[string]float64{"acc": 0.8361, "tiny": 1e-9}}} {
		m.Name = "i2m2 \"x\" <y>"
		m.Provenance = pv
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		got := b[fixedHeader : fixedHeader+int(binary.LittleEndian.Uint32(b[8:]))]
		h := m.header()
		want, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("header:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

// TestReadContentSum: a content sum from the caller replaces Read's own
// hash and nothing else: the right sum reads the same model as Read; a sum
// that is not the hash of the file's content fails as a corrupt file does,
// whether the file is intact or its tensors or checksum were changed (the
// sum of the changed content does not match the stored checksum either).
func TestReadContentSum(t *testing.T) {
	for _, name := range testFiles {
		b := readTestdata(t, name)
		n := len(b) - checksumBytes
		content := func(b []byte) [32]byte { return sha256.Sum256(b[:len(b)-checksumBytes]) }
		want, err := Read(b)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ReadWithBudget(b, defaultBudget.Ops, defaultBudget.Bytes, content(b))
		if err != nil || m.Digest != want.Digest || !reflect.DeepEqual(m.Experts[0].Head[0].W, want.Experts[0].Head[0].W) {
			t.Fatalf("%s: with the right content sum: %v (digest %s, want %s)", name, err, m.Digest, want.Digest)
		}
		wrong := content(b)
		wrong[7] ^= 1
		tensor := append([]byte(nil), b...)
		tensor[n-5] ^= 1
		stored := append([]byte(nil), b...)
		stored[n+3] ^= 1
		for what, c := range map[string]struct {
			file []byte
			sum  [32]byte
		}{"a wrong sum": {b, wrong}, "a changed tensor": {tensor, content(tensor)}, "a changed checksum": {stored, content(stored)}} {
			if _, err := ReadWithBudget(c.file, 0, 0, c.sum); !errors.Is(err, errChecksum) {
				t.Errorf("%s, %s: %v, want %v", name, what, err, errChecksum)
			}
		}
		if _, err := ReadWithBudget(b, 0, 0, content(b), content(b)); !errors.Is(err, ErrInput) {
			t.Errorf("%s: two content sums: %v, want %v", name, err, ErrInput)
		}
	}
}

// TestHeaderStrings: the header decoder hands out each repeated string once
// (hdec.intern, up to maxInterned of them) and every string, past that bound
// too, with its own value.
func TestHeaderStrings(t *testing.T) {
	var names []string
	for i := 0; i < 3*maxInterned; i++ {
		names = append(names, "c"+strconv.Itoa(i%(2*maxInterned)))
	}
	classes, _ := json.Marshal(names)
	h, err := decodeHeader([]byte(`{"name":"m","classes":` + string(classes) + `,"quantization":"float32"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Classes, names) {
		t.Fatalf("classes %q, want %q", h.Classes, names)
	}
}
