package features

import "testing"

func BenchmarkAudioFromPCM22050(b *testing.B) {
	x := chirp(22050, 200, 5000, 1.2)
	for i := 0; i < b.N; i++ {
		AudioFromPCM(x, 22050)
	}
}

func BenchmarkAudioFromPCM48000x3s(b *testing.B) {
	x := chirp(48000, 200, 5000, 3)
	for i := 0; i < b.N; i++ {
		AudioFromPCM(x, 48000)
	}
}

func BenchmarkImageFromRGBA280(b *testing.B) {
	c := canvas(280, 280, "dark-on-white")
	for i := 0; i < b.N; i++ {
		ImageFromRGBA(c, 280, 280)
	}
}
