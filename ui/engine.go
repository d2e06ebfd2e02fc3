package ui

// Digits is the number of classes of the demo task ("0".."9").
const Digits = 10

// Modality sizes of the project contract (docs/product-contracts.md): image [1,28,28], audio [1,40,40].
const (
	ImageSide = 28
	ImageSize = ImageSide * ImageSide
	AudioSide = 40
	AudioSize = AudioSide * AudioSide
)

// Inputs is one sample; a nil slice means the modality is absent.
type Inputs struct {
	Image []float32 // ImageSize values in [0, 1], row-major
	Audio []float32 // AudioSize values in [0, 1]: 40 log-mel bands (rows) x 40 frames
}

// Dist is a distribution over the digits.
type Dist struct {
	Label int             // argmax
	Probs [Digits]float64 // sums to 1
}

// Conf is the probability of the predicted digit.
func (d *Dist) Conf() float64 { return d.Probs[d.Label] }

// Prediction is what the engine says about one sample. An expert that was not used (its modality
// was absent) is nil.
type Prediction struct {
	Final     Dist  // the I2M2 product of experts: log_softmax(f_image + f_audio + f_inter)
	Image     *Dist // intra expert of the image
	Audio     *Dist // intra expert of the audio
	Inter     *Dist // inter expert over both
	IntraOnly *Dist // product of the intra experts alone (the paper's intra-modality baseline)
}

// Model names, in display order.
const (
	MImage = iota
	MAudio
	MInter
	MIntraOnly
	MFinal
	NumModels
)

// ModelNames are the display names of the five distributions.
var ModelNames = [NumModels]string{"Image expert", "Audio expert", "Inter expert", "Intra-only product", "I2M2"}

// Of returns distribution m (MImage..MFinal) or nil.
func (p *Prediction) Of(m int) *Dist {
	if p == nil {
		return nil
	}
	switch m {
	case MImage:
		return p.Image
	case MAudio:
		return p.Audio
	case MInter:
		return p.Inter
	case MIntraOnly:
		return p.IntraOnly
	case MFinal:
		return &p.Final
	}
	return nil
}

// Engine runs the model. The browser implementation is JSEngine; every method blocks until the
// JS module's Promise settles, so it is called from a goroutine, never from an event handler.
type Engine interface {
	PredictBatch(in []Inputs) ([]Prediction, error)
	ImageFromRGBA(rgba []byte, width, height int) ([]float32, error)
	AudioFromPCM(pcm []float32, sampleRate int) ([]float32, error)
}

// Predict runs one sample.
func Predict(e Engine, in Inputs) (Prediction, error) {
	r, err := e.PredictBatch([]Inputs{in})
	if err != nil {
		return Prediction{}, err
	}
	return r[0], nil
}
