//go:build js && wasm

package ui

import (
	"syscall/js"
	"time"

	vjs "github.com/vugu/vugu/js"
)

// The drawing pad: a canvas the person draws a digit on with a mouse, a pen or a finger, or, from
// the keyboard, by typing a digit, which the pad then draws stroke by stroke (DigitStrokes). After
// each stroke the canvas goes through features.ImageFromRGBA (as MNIST digits were made: cropped,
// scaled to 20x20, centred by mass) and replaces the image. The strokes are kept here so that the
// pad can be repainted (RedrawPad).
var pad struct {
	el, ctx js.Value
	down    bool
	strokes [][]float64 // x0, y0, x1, y1, ... in canvas pixels
	funcs   []js.Func
	gen     int // bumped to stop a typed digit being drawn
}

// AttachPad sets up a new drawing canvas (vg-js-create of its <canvas>) and gives it the keyboard
// focus: the pad opens from its toggle button, and typing a digit is the keyboard's way to draw.
func (l *Lab) AttachPad(v vjs.Value) {
	el := js.Value(v)
	if el.Equal(pad.el) {
		return
	}
	for _, f := range pad.funcs {
		f.Release()
	}
	pad.funcs = nil
	pad.el = el
	pad.strokes = nil
	pad.gen++
	pad.ctx = el.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	pos := func(e js.Value) (float64, float64) {
		r := el.Call("getBoundingClientRect")
		sx := PadSide / r.Get("width").Float()
		sy := PadSide / r.Get("height").Float()
		return (e.Get("clientX").Float() - r.Get("left").Float()) * sx, (e.Get("clientY").Float() - r.Get("top").Float()) * sy
	}
	on := func(name string, f func(e js.Value)) {
		fn := js.FuncOf(func(_ js.Value, a []js.Value) any {
			f(a[0])
			return nil
		})
		pad.funcs = append(pad.funcs, fn)
		el.Call("addEventListener", name, fn)
	}
	on("pointerdown", func(e js.Value) {
		e.Call("preventDefault")
		pad.down = true
		pad.gen++ // the hand takes over from a typed digit
		el.Call("setPointerCapture", e.Get("pointerId"))
		x, y := pos(e)
		pad.strokes = append(pad.strokes, []float64{x, y, x + 0.01, y})
		drawStroke(pad.strokes[len(pad.strokes)-1])
	})
	on("pointermove", func(e js.Value) {
		if !pad.down || len(pad.strokes) == 0 {
			return
		}
		e.Call("preventDefault")
		x, y := pos(e)
		s := &pad.strokes[len(pad.strokes)-1]
		*s = append(*s, x, y)
		drawStroke((*s)[len(*s)-4:])
	})
	end := func(e js.Value) {
		if !pad.down {
			return
		}
		e.Call("preventDefault")
		pad.down = false
		l.usePad()
	}
	on("pointerup", end)
	on("pointercancel", end)
	on("keydown", func(e js.Value) {
		if e.Get("altKey").Bool() || e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool() {
			return
		}
		switch k := e.Get("key").String(); {
		case len(k) == 1 && k[0] >= '0' && k[0] <= '9':
			e.Call("preventDefault")
			l.DrawDigit(int(k[0] - '0'))
		case k == "Backspace" || k == "Delete":
			e.Call("preventDefault")
			l.ClearPad()
		}
	})
	el.Call("focus")
}

// DrawDigit draws digit d on the pad stroke by stroke, replacing what is there, and predicts after
// each stroke. With prefers-reduced-motion each stroke appears at once. Called from a key press.
func (l *Lab) DrawDigit(d int) {
	strokes := DigitStrokes(d, PadSide, 6)
	if strokes == nil || !pad.ctx.Truthy() {
		return
	}
	pad.gen++
	g, el := pad.gen, pad.el
	pad.strokes = nil
	l.RedrawPad()
	// The pad and the reading are aria-busy until the last stroke's prediction is asked for.
	l.Env.Lock()
	l.Sketching++
	el.Call("setAttribute", "aria-busy", "true")
	l.Env.UnlockRender()
	still := js.Global().Call("matchMedia", "(prefers-reduced-motion: reduce)").Get("matches").Bool()
	const perFrame = 3 // points added per frame: about 0.3 s for a stroke across the pad
	l.Go(func() {
		defer func() {
			l.Env.Lock()
			if l.Sketching--; l.Sketching == 0 {
				el.Call("removeAttribute", "aria-busy")
			}
			l.Env.UnlockRender()
		}()
		for _, s := range strokes {
			if pad.gen != g {
				return
			}
			pad.strokes = append(pad.strokes, []float64{s[0], s[1], s[0] + 0.01, s[1]})
			cur := len(pad.strokes) - 1
			drawStroke(pad.strokes[cur])
			for k := 2; k < len(s); k += 2 * perFrame {
				if !still {
					time.Sleep(16 * time.Millisecond)
					if pad.gen != g {
						return
					}
				}
				end := min(len(s), k+2*perFrame)
				pad.strokes[cur] = append(pad.strokes[cur], s[k:end]...)
				p := pad.strokes[cur]
				drawStroke(p[len(p)-(end-k)-2:])
			}
			l.usePad()
		}
	})
}

// drawStroke draws a polyline (x0, y0, x1, y1, ...) in the pad's ink.
func drawStroke(p []float64) {
	ctx := pad.ctx
	ctx.Set("lineWidth", 20)
	ctx.Set("lineCap", "round")
	ctx.Set("lineJoin", "round")
	ctx.Set("strokeStyle", "#14182a")
	ctx.Call("beginPath")
	ctx.Call("moveTo", p[0], p[1])
	for i := 2; i+1 < len(p); i += 2 {
		ctx.Call("lineTo", p[i], p[i+1])
	}
	ctx.Call("stroke")
}

// RedrawPad repaints the strokes.
func (l *Lab) RedrawPad() {
	if !pad.ctx.Truthy() {
		return
	}
	pad.ctx.Call("clearRect", 0, 0, PadSide, PadSide)
	for _, s := range pad.strokes {
		drawStroke(s)
	}
}

// ClearPad wipes the drawing canvas and stops a digit being drawn. Lock held.
func (l *Lab) ClearPad() {
	pad.gen++
	pad.strokes = nil
	l.RedrawPad()
}

// usePad turns the canvas into the image modality and swaps it in; a drawing replaces the
// previous drawing instead of stacking undo steps. Called without the lock.
func (l *Lab) usePad() {
	img := pad.ctx.Call("getImageData", 0, 0, PadSide, PadSide).Get("data")
	rgba := make([]byte, img.Length())
	js.CopyBytesToGo(rgba, img)
	l.Env.Lock()
	eng := l.Eng
	if eng != nil {
		l.Busy++
	}
	l.Env.UnlockRender()
	if eng == nil {
		return
	}
	l.Go(func() {
		x, err := eng.ImageFromRGBA(rgba, PadSide, PadSide)
		l.Env.Lock()
		defer l.Env.UnlockRender()
		l.Busy--
		if err != nil {
			l.Fail("Could not read the drawing: %v", err)
			return
		}
		l.SwapDrawing(x)
	})
}
