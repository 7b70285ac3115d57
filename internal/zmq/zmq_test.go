package zmq

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func listen(t *testing.T, endpoint string, hwm int) *Publisher {
	t.Helper()
	p, err := Listen(endpoint, hwm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// sub connects a zmq4 SUB socket with the given subscription and waits
// until the publisher knows it.
func sub(t *testing.T, p *Publisher, endpoint, topic string) zmq4.Socket {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := zmq4.NewSub(ctx)
	t.Cleanup(func() {
		_ = s.Close()
		cancel()
	})
	if err := s.Dial(endpoint); err != nil {
		t.Fatal(err)
	}
	before := subscribed(p, topic)
	if err := s.SetOption(zmq4.OptionSubscribe, topic); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for subscribed(p, topic) == before {
		if time.Now().After(deadline) {
			t.Fatal("subscription not registered")
		}
		time.Sleep(time.Millisecond)
	}
	return s
}

// subscribed counts the subscribers that would get a message topic.
func subscribed(p *Publisher, topic string) int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := 0
	for s := range p.subs {
		if s.wants([]byte(topic)) {
			n++
		}
	}
	return n
}

func recv(t *testing.T, s zmq4.Socket) string {
	t.Helper()
	c := make(chan zmq4.Msg, 1)
	go func() {
		m, _ := s.Recv()
		c <- m
	}()
	select {
	case m := <-c:
		if m.Err() != nil || len(m.Frames) != 1 {
			t.Fatalf("message %v (err %v), want one frame", m.Frames, m.Err())
		}
		return string(m.Frames[0])
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
		return ""
	}
}

func TestPublishTCPAndIPC(t *testing.T) {
	ipc := "ipc://" + filepath.Join(t.TempDir(), "pub.sock")
	for _, ep := range []string{"tcp://127.0.0.1:0", ipc} {
		t.Run(ep[:3], func(t *testing.T) {
			p := listen(t, ep, 100)
			dial := ep
			if p.Addr().Network() == "tcp" {
				dial = "tcp://" + p.Addr().String()
			}
			a := sub(t, p, dial, "moniker")
			b := sub(t, p, dial, "other")
			for i := range 5 {
				n, err := p.Send(fmt.Appendf(nil, "moniker {\"i\":%d}", i))
				if err != nil || n != 1 {
					t.Fatalf("Send: %d subscribers, %v; want 1 (prefix filtering)", n, err)
				}
			}
			if n, _ := p.Send([]byte("other x")); n != 1 {
				t.Fatalf("other: %d subscribers", n)
			}
			for i := range 5 {
				if got, want := recv(t, a), fmt.Sprintf("moniker {\"i\":%d}", i); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			}
			if got := recv(t, b); got != "other x" {
				t.Errorf("other subscriber got %q", got)
			}
		})
	}
}

// TestSlowSubscriberIsolated fills one subscriber's queue (it never
// reads, so its TCP window fills too) and checks that another still gets
// every message.
func TestSlowSubscriberIsolated(t *testing.T) {
	p := listen(t, "tcp://127.0.0.1:0", 10)
	ep := "tcp://" + p.Addr().String()
	sub(t, p, ep, "") // subscribes to everything, never reads
	fast := sub(t, p, ep, "")
	msg := make([]byte, 64<<10)
	copy(msg, "m")
	slowMissed := 0
	for i := range 400 {
		n, err := p.Send(msg)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("message %d reached no subscriber", i)
		}
		if n == 1 {
			slowMissed++
		}
		recv(t, fast) // the fast one keeps up
	}
	if slowMissed == 0 {
		t.Error("the slow subscriber's queue never filled: the test proves nothing")
	}
}

// TestCloseLingers queues messages and closes at once: they still arrive.
func TestCloseLingers(t *testing.T) {
	p, err := Listen("tcp://127.0.0.1:0", 1000)
	if err != nil {
		t.Fatal(err)
	}
	s := sub(t, p, "tcp://"+p.Addr().String(), "t")
	for i := range 100 {
		if n, _ := p.Send(fmt.Appendf(nil, "t %d", i)); n != 1 {
			t.Fatal("not queued")
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if got := recv(t, s); got != fmt.Sprintf("t %d", i) {
			t.Fatalf("after Close: got %q, want t %d", got, i)
		}
	}
	if _, err := p.Send([]byte("t late")); err == nil {
		t.Error("Send after Close succeeded")
	}
}

// TestGarbagePeer connects something that is not ZMTP: it is dropped and
// real subscribers are unaffected.
func TestGarbagePeer(t *testing.T) {
	p := listen(t, "tcp://127.0.0.1:0", 10)
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + string(make([]byte, 100)))); err != nil {
		t.Fatal(err)
	}
	s := sub(t, p, "tcp://"+p.Addr().String(), "a")
	if n, _ := p.Send([]byte("a b")); n != 1 {
		t.Fatalf("%d subscribers", n)
	}
	if got := recv(t, s); got != "a b" {
		t.Errorf("got %q", got)
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		ep, network, addr string
		ok                bool
	}{
		{"tcp://*:5555", "tcp", ":5555", true},
		{"tcp://127.0.0.1:0", "tcp", "127.0.0.1:0", true},
		{"tcp://*:*", "tcp", ":0", true},
		{"ipc:///tmp/x.sock", "unix", "/tmp/x.sock", true},
		{"tcp://nohost", "", "", false},
		{"inproc://x", "", "", false},
		{"5555", "", "", false},
	}
	for _, tt := range tests {
		n, a, err := parseEndpoint(tt.ep)
		if (err == nil) != tt.ok || n != tt.network || a != tt.addr {
			t.Errorf("%s: %q %q %v", tt.ep, n, a, err)
		}
	}
}
