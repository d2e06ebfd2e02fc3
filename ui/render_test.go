package ui

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/i2m2-wasm/i2m2/ui/internal/compact"
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/gen"
	"github.com/vugu/vugu/staticrender"
)

// render renders the page for l with Vugu's static renderer (no browser).
func render(t *testing.T, l *Lab) string {
	t.Helper()
	env, err := vugu.NewBuildEnv(l.Env)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := staticrender.New(&buf).Render(env.RunBuild(&Root{Lab: l})); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var undoTag = regexp.MustCompile(`<button[^>]*id="undo"[^>]*>`)

func count(s, sub string) int { return strings.Count(s, sub) }

func TestRenderLoading(t *testing.T) {
	l := &Lab{Env: vugu.NewEventEnvImpl(&sync.RWMutex{}, nil), Stage: "Downloading the model", Loaded: 50 << 10, Total: 120 << 10}
	h := render(t, l)
	for _, w := range []string{"Downloading the model…", `value="51200"`, `max="122880"`, "50 kB of 120 kB", "I2M2 modality-swap lab"} {
		if !strings.Contains(h, w) {
			t.Errorf("loading page lacks %q", w)
		}
	}
	if strings.Contains(h, `class="grid"`) {
		t.Error("the lab must not show before the model is ready")
	}
	// the demo set is in, the model is not: the lab shows, with the model's progress and no bars yet
	d, _ := testDemo(t, 20, 4)
	l.Env.Lock()
	l.SetDemo(d, ModelDesc{})
	l.Env.UnlockOnly()
	h = render(t, l)
	for _, w := range []string{`class="modelbar"`, "Downloading the model…", "The experts answer as soon as the model has loaded", `id="pair-index"`, "data:image/bmp;base64,"} {
		if !strings.Contains(h, w) {
			t.Errorf("lab without a model lacks %q", w)
		}
	}
	if count(h, `class="bar pred`) != 0 || !regexp.MustCompile(`<button[^>]*id="shuffle-run"[^>]*disabled`).MatchString(h) && !regexp.MustCompile(`<button[^>]*disabled[^>]*id="shuffle-run"`).MatchString(h) {
		t.Error("no predictions and no shuffle run without a model")
	}
	l.Demo = nil
	l.Fail("Could not load the model: i2m2: sha256 mismatch <b>")
	h = render(t, l)
	if !strings.Contains(h, "Could not load the model: i2m2: sha256 mismatch &lt;b&gt;") || !strings.Contains(h, "Loading stopped") {
		t.Error("an error must be shown in words (escaped) and the loading text must say it stopped")
	}
}

func TestRenderLab(t *testing.T) {
	l := newTestLab(t, 30)
	const rows, classes, conds = 5, 10, 3
	do(l, func() { l.Select(4) })
	do(l, func() { l.StartScan() })
	h := render(t, l)

	for _, id := range []string{"pair-index", "pick-random", "expert-image", "expert-audio", "expert-inter", "expert-intra", "expert-i2m2", "reading", "shuffle-run", "results", "from-pair", "undo", "restore", "record", "draw-toggle", "play"} {
		if !strings.Contains(h, `id="`+id+`"`) {
			t.Errorf("page lacks #%s", id)
		}
	}
	// five rows of ten bars; each row marks exactly its predicted digit
	if n := count(h, `class="bar `); n != rows*classes {
		t.Errorf("%d bars, want %d", n, rows*classes)
	}
	if n := count(h, `class="bar pred`); n != rows {
		t.Errorf("%d predicted-digit marks, want %d", n, rows)
	}
	// the pair's digit is underlined in every row while nothing is swapped
	if n := count(h, " truth\""); n != rows {
		t.Errorf("%d truth marks, want %d", n, rows)
	}
	if count(h, `class="before"`) != 0 {
		t.Error("no ghost bars without a swap")
	}
	if !strings.Contains(undoTag.FindString(h), "disabled") {
		t.Error("undo must be disabled with nothing to undo")
	}
	if !strings.Contains(h, "Stand-in weights.") {
		t.Error("a stand-in manifest must be announced")
	}
	if !strings.Contains(h, "data:image/bmp;base64,") {
		t.Error("the image and spectrogram pictures are missing")
	}
	if !regexp.MustCompile(`id="expert-i2m2"[\s\S]*?<span class="top">` + strconv.Itoa(l.Now.Final.Label) + ` · `).MatchString(h) {
		t.Error("the I2M2 row does not show its digit")
	}
	// results table from the manifest, in file order, accuracies as percentages
	if !regexp.MustCompile(`(?s)<th scope="row">I2M2, float32</th>\s*<td>61.9</td>\s*<td>± 0.0</td>\s*<td>1</td>.*<th scope="row">I2M2&#39;s image expert</th>\s*<td>42.5</td>`).MatchString(h) {
		t.Error("results table wrong")
	}
	if !strings.Contains(h, "units: test accuracy in percent") || !strings.Contains(h, "Note: INTERIM run") {
		t.Error("results notes or manifest note missing")
	}
	if !strings.Contains(h, "disagree") || (len(l.Scan.Disagree) > 0 && !strings.Contains(h, "chip-btn")) {
		t.Error("disagreement list missing")
	}
	// for screen readers: each distribution as text (the bars hidden), two polite live regions
	// (the reading, the shuffle's start and end) and the errors' alert, a labelled sound-file input
	if n := count(h, `<div aria-hidden="true" class="bars`); n != rows {
		t.Errorf("%d hidden bar charts, want %d", n, rows)
	}
	if got := regexp.MustCompile(`<p class="ranks">Top: \d [^<]*%, \d [^<]*%, \d [^<]*%</p>`).FindAllString(h, -1); len(got) != rows {
		t.Errorf("%d distributions as text, want %d: %q", len(got), rows, got)
	}
	if count(h, `aria-live="polite"`) != 2 || count(h, `aria-live="assertive"`) != 1 || !strings.Contains(h, `id="shuffle-announce"`) {
		t.Error("live regions: want the reading and the shuffle announcement (polite) and the errors (assertive)")
	}
	if !regexp.MustCompile(`<label class="file-btn">Sound file…<input id="sound-file"[^>]*type="file"`).MatchString(h) {
		t.Error("the sound-file input must sit in its label")
	}

	// swap the clip: ghost bars appear, the clip card is marked, the reading talks about the audio
	do(l, func() { l.SwapDigit(l.Mod("audio"), (l.Demo.Pairs[4].Label+1)%10) })
	h = render(t, l)
	if n := count(h, `class="before"`); n != rows*classes {
		t.Errorf("%d ghost bars after a swap, want %d", n, rows*classes)
	}
	if count(h, `class="mod swapped"`) != 1 {
		t.Error("exactly the clip card must be marked as swapped")
	}
	if !strings.Contains(h, "The audio expert") {
		t.Errorf("reading %q", l.Reading)
	}
	if strings.Contains(undoTag.FindString(h), "disabled") {
		t.Error("undo must be enabled after a swap")
	}

	// the shuffle chart: three bars per model per chart, summary once complete
	do(l, func() { l.StartShuffle() })
	h = render(t, l)
	if n := count(h, `class="cbar `); n != 2*rows*conds {
		t.Errorf("%d chart bars, want %d", n, 2*rows*conds)
	}
	if !strings.Contains(h, `id="shuffle-summary"`) || !strings.Contains(h, "done: 90 predictions") {
		t.Error("shuffle summary or status missing")
	}
}

// TestGeneratedCodeIsCurrent regenerates the components with vugugen in a scratch directory and
// compares with the committed 0_components_gen.go.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob("*.vugu")
	for _, f := range append(files, "gen.go") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := gen.Run(dir, &gen.ParserGoPkgOpts{MergeSingle: true, SkipGoMod: true, SkipMainGo: true}); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "0_components_gen.go"))
	want = compact.Code(want)
	got, _ := os.ReadFile("0_components_gen.go")
	if !bytes.Equal(got, want) {
		t.Fatal("0_components_gen.go is stale: run go generate ./ui")
	}
}

// TestUIDoesNotLinkModel keeps the UI's wasm small (inference goes through the JS module) and
// free of eval.
func TestUIDoesNotLinkModel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "./app")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/i2m2-wasm/i2m2/model") || strings.HasPrefix(p, "github.com/i2m2-wasm/i2m2/features") || strings.HasPrefix(p, "gorgonia.org/") ||
			p == "github.com/vugu/vugu/domrender" { // installs its script with eval: the page renders with internal/domsync

			t.Errorf("the UI wasm links %s", p)
		}
	}
}
