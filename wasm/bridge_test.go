//go:build js && wasm

package main

import (
	"errors"
	"strings"
	"syscall/js"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
)

// await waits for a Promise; it returns the value or the rejection's message.
func await(p js.Value) (js.Value, string) {
	type out struct {
		v   js.Value
		msg string
	}
	ch := make(chan out, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- out{v: a[0]}; return nil })
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if !a[0].InstanceOf(jsError) {
			ch <- out{msg: "rejected with a non-Error: " + a[0].String()}
		} else {
			ch <- out{msg: a[0].Get("message").String()}
		}
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	p.Call("then", ok, bad)
	o := <-ch
	return o.v, o.msg
}

func TestAsyncResolvesRejectsAndRecovers(t *testing.T) {
	for _, tc := range []struct {
		name string
		work func() (any, error)
		want string // rejection message; "" = resolves with 42
	}{
		{"value", func() (any, error) { return 42, nil }, ""},
		{"error", func() (any, error) { return nil, errors.New("i2m2: nope") }, "i2m2: nope"},
		{"panic", func() (any, error) { panic("index out of range") }, "i2m2: internal error: index out of range"},
		{"runtime panic", func() (any, error) { var s []int; return s[3], nil }, "i2m2: internal error: runtime error: index out of range"},
		{"js exception", func() (any, error) { return js.Global().Call("decodeURIComponent", "%"), nil }, "i2m2: JavaScript exception: URI malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := async(tc.work)
			if !p.InstanceOf(jsPromise) {
				t.Fatal("async did not return a Promise")
			}
			v, msg := await(p)
			if tc.want == "" {
				if msg != "" || v.Int() != 42 {
					t.Fatalf("got %v %q, want 42", v, msg)
				}
				return
			}
			if !strings.HasPrefix(msg, tc.want) {
				t.Fatalf("rejection %q, want prefix %q", msg, tc.want)
			}
		})
	}
	// The runtime is still alive after the panics.
	if v, msg := await(async(func() (any, error) { return 42, nil })); msg != "" || v.Int() != 42 {
		t.Fatal("instance did not survive")
	}
}

func TestFloat32CopiesAreBitExact(t *testing.T) {
	src := []float32{0, -0.0, 1, -1.5, 3.4028235e38, 1e-45, 0.1}
	arr := toFloat32Array(src)
	if arr.Length() != len(src) {
		t.Fatalf("length %d", arr.Length())
	}
	for i, v := range src {
		if got := float32(arr.Index(i).Float()); got != v {
			t.Errorf("[%d] = %v, want %v", i, got, v)
		}
	}
	// A view at a byte offset into a larger buffer.
	view := jsFloat32Array.New(arr.Get("buffer"), 8, 3)
	dst := make([]float32, 3)
	copyFloat32(dst, view)
	if dst[0] != 1 || dst[1] != -1.5 || dst[2] != 3.4028235e38 {
		t.Errorf("view copy = %v", dst)
	}
	if _, err := float32Len(js.ValueOf([]any{1, 2}), "x"); err == nil || !strings.Contains(err.Error(), "x must be a Float32Array, got Array") {
		t.Errorf("Array accepted or unclear: %v", err)
	}
}

func TestPackLayout(t *testing.T) {
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		t.Fatal(err)
	}
	arch.InitRandom(m, 3)
	img := make([]float32, 784)
	for i := range img {
		img[i] = float32(i%13) / 13
	}
	r, err := m.Predict(model.Fast, map[string][]float32{"image": img})
	if err != nil {
		t.Fatal(err)
	}
	k, ne := len(m.Classes), len(m.Experts)
	dst := make([]float32, Stride(k, ne)+1)
	dst[len(dst)-1] = 7 // guard
	pack(dst[:Stride(k, ne)], r)
	if dst[len(dst)-1] != 7 {
		t.Fatal("pack wrote past Stride")
	}
	if int(dst[0]) != r.Label || dst[1] != r.Probs[0] || dst[1+k] != r.LogProbs[0] {
		t.Error("product misplaced")
	}
	o := 1 + 2*k
	if dst[o] != 1 || int(dst[o+1]) != r.IntraOnly.Label {
		t.Error("intra-only header misplaced")
	}
	o += 2 + 2*k
	for j, e := range r.Experts {
		used := float32(0)
		if e.Used {
			used = 1
		}
		if dst[o] != used || int(dst[o+1]) != e.Label || dst[o+2] != e.Logits[0] || dst[o+2+k] != e.Probs[0] || dst[o+2+2*k] != e.LogProbs[0] {
			t.Errorf("expert %d misplaced", j)
		}
		o += 2 + 3*k
	}
}
