package train

import (
	"fmt"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
)

// Encoded holds what a trained model's frozen encoders make of every sample of a split: for each
// expert of the trunk model and each of its inputs, the branch output (flattened, the input of
// the expert's head) of that sample's image or clip. A task that re-pairs images and clips
// (package task) trains new heads on these without running the encoders again.
type Encoded struct {
	N     int
	Trunk *model.Model
	Feat  map[string][]float32 // key FeatKey(expert, input): [N][Dim] sample-major
	Dim   map[string]int
}

// FeatKey names one branch's features.
func FeatKey(expert, input string) string { return expert + "/" + input }

// branchDim is the flattened output size of a LeNet branch on shape s (stride-1 convs,
// 2x2/2 max-pools, Flatten), as the model's planner computes it.
func branchDim(ls []model.Layer, s model.Shape) int {
	c, h, w := s[0], s[1], s[2]
	for _, l := range ls {
		switch l.Kind {
		case model.Conv2D:
			c, h, w = l.OutC, h+2*l.Pad-l.KH+1, w+2*l.Pad-l.KW+1
		case model.MaxPool2D:
			h, w = (h-l.KH)/l.Stride+1, (w-l.KW)/l.Stride+1
		}
	}
	return c * h * w
}

// probe is a one-expert model whose head is the identity: its logits are the branch's output.
func probe(m *model.Model, e *model.Expert, bi int) (*model.Model, int, error) {
	in := e.Inputs[bi]
	mi := m.ModalityIndex(in)
	if mi < 0 {
		return nil, 0, fmt.Errorf("train: expert %s input %s is no modality", e.Name, in)
	}
	dim := branchDim(e.Branches[bi], m.Modalities[mi].Shape)
	id := model.Layer{Kind: model.Dense, In: dim, Out: dim, W: make([]float32, dim*dim), B: make([]float32, dim)}
	cls := make([]string, dim)
	for i := range cls {
		cls[i] = fmt.Sprint("f", i)
		id.W[i*dim+i] = 1
	}
	p := &model.Model{Name: "probe", Modalities: m.Modalities, Classes: cls,
		Experts: []model.Expert{{Name: "probe", Inputs: []string{in}, Branches: [][]model.Layer{e.Branches[bi]}, Head: []model.Layer{id}}}}
	if err := p.Validate(); err != nil {
		return nil, 0, fmt.Errorf("train: probe of %s/%s: %w", e.Name, in, err)
	}
	return p, dim, nil
}

// Encode runs every branch of m (float32 path) on every sample of d, on workers goroutines.
func Encode(m *model.Model, d *Data, workers int) (*Encoded, error) {
	if m.Quantization != "" && m.Quantization != "float32" {
		return nil, fmt.Errorf("train: Encode wants a float32 model")
	}
	enc := &Encoded{N: d.N, Trunk: m, Feat: map[string][]float32{}, Dim: map[string]int{}}
	type job struct {
		key string
		p   *model.Model
		dim int
		in  string
	}
	var jobs []job
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for bi, in := range e.Inputs {
			p, dim, err := probe(m, e, bi)
			if err != nil {
				return nil, err
			}
			k := FeatKey(e.Name, in)
			enc.Dim[k] = dim
			enc.Feat[k] = make([]float32, d.N*dim)
			jobs = append(jobs, job{k, p, dim, in})
		}
	}
	workers = max(1, min(workers, d.N))
	err := dataset.Workers(workers, func(w int) error {
		img, aud := make([]float32, 784), make([]float32, 1600)
		in := map[string][]float32{"image": img, "audio": aud}
		for _, j := range jobs {
			pr, err := j.p.NewPredictor(model.Fast)
			if err != nil {
				return err
			}
			res := j.p.NewResult()
			for i := w * d.N / workers; i < (w+1)*d.N/workers; i++ {
				if j.in == "image" {
					d.fill(i, i, img, nil)
				} else {
					d.fill(i, i, nil, aud)
				}
				if err := pr.Predict(in, res); err != nil {
					return err
				}
				copy(enc.Feat[j.key][i*j.dim:], res.Experts[0].Logits)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return enc, nil
}

// Paired is a task's training or validation set on frozen encoders: pair k joins the image of
// sample Image[k] with the clip of sample Audio[k] of Enc's split, labelled Labels[k].
type Paired struct {
	Enc          *Encoded
	Image, Audio []int32
	Labels       []uint8
}

// N is the number of pairs.
func (p *Paired) N() int { return len(p.Labels) }

// gather writes expert e's head input for pairs idx, feature-major [F][B] as the trainer's layers
// want, into x.
func (p *Paired) gather(e *Expert[float32], idx []int, x *Act[float32]) {
	b := len(idx)
	tot := 0
	for _, in := range e.Inputs {
		tot += p.Enc.Dim[FeatKey(e.Name, in)]
	}
	*x = Act[float32]{C: tot, B: b, H: 1, W: 1, D: grow(x.D, tot*b)}
	off := 0
	for _, in := range e.Inputs {
		k := FeatKey(e.Name, in)
		dim, f := p.Enc.Dim[k], p.Enc.Feat[k]
		src := p.Image
		if in == "audio" {
			src = p.Audio
		}
		for bi, j := range idx {
			s := int(src[j]) * dim
			for c, v := range f[s : s+dim] {
				x.D[(off+c)*b+bi] = v
			}
		}
		off += dim
	}
}
