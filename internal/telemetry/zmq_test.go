package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// subscribe connects a real SUB socket to addr with the given
// subscription and waits until the publisher has registered it (PUB
// drops messages for subscribers it does not know yet).
func subscribe(t *testing.T, z *ZMQ, topic string) zmq4.Socket {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sub := zmq4.NewSub(ctx)
	t.Cleanup(func() {
		_ = sub.Close()
		cancel()
	})
	if err := sub.Dial("tcp://" + z.Publisher().Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription to reach the publisher", func() bool { return z.Publisher().Subscribed(topic + " ") })
	return sub
}

// recv receives one message within a deadline.
func recv(t *testing.T, sub zmq4.Socket) zmq4.Msg {
	t.Helper()
	type result struct {
		msg zmq4.Msg
		err error
	}
	c := make(chan result, 1)
	go func() {
		m, err := sub.Recv()
		c <- result{m, err}
	}()
	select {
	case r := <-c:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.msg
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
		return zmq4.Msg{}
	}
}

// TestZMQSubscriberReceivesEvents runs the sink behind an Emitter and a
// real SUB socket, and parses every message as upstream's subscriber
// does: one frame, split at the first space into topic and JSON.
func TestZMQSubscriberReceivesEvents(t *testing.T) {
	z, err := NewZMQ("tcp://127.0.0.1:0", "moniker", 1000)
	if err != nil {
		t.Fatal(err)
	}
	sub := subscribe(t, z, "moniker")
	em := New(Options{BatchSize: 4, FlushInterval: 10 * time.Millisecond, Sink: z})
	const n = 10
	for i := range n {
		e := seqEvent(i, time.Now())
		e.MonikerPath = "rates.swap/USD/" + strconv.Itoa(i)
		em.Emit(&e)
	}
	for i := range n {
		msg := recv(t, sub)
		if len(msg.Frames) != 1 {
			t.Fatalf("message %d has %d frames, want 1", i, len(msg.Frames))
		}
		topic, body, ok := bytes.Cut(msg.Frames[0], []byte(" "))
		if !ok || string(topic) != "moniker" {
			t.Fatalf("message %d: topic %q", i, topic)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("message %d: %v: %s", i, err, body)
		}
		if m["request_id"] != strconv.Itoa(i) || m["moniker_path"] != "rates.swap/USD/"+strconv.Itoa(i) || m["moniker_domain"] != "rates.swap" {
			t.Errorf("message %d: %s", i, body)
		}
	}
	closeEmitter(t, em)
	if st := em.Stats(); st.EventsSent != n || st.FlushErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestZMQTopicPrefix checks that subscriptions match by prefix, as ZMQ
// does: a subscriber to "mon" gets the "moniker" messages.
func TestZMQTopicPrefix(t *testing.T) {
	z, err := NewZMQ("tcp://127.0.0.1:0", "moniker", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	prefix := subscribe(t, z, "mon")
	if z.Publisher().Subscribed("other ") {
		t.Fatal("a subscription to mon matches other")
	}
	e := seqEvent(7, time.Now())
	if err := z.Write(context.Background(), []Event{e}); err != nil {
		t.Fatal(err)
	}
	msg := recv(t, prefix)
	if !bytes.HasPrefix(msg.Frames[0], []byte(`moniker {"request_id":"7",`)) {
		t.Errorf("got %q", msg.Frames[0])
	}
}

func TestZMQBindError(t *testing.T) {
	z, err := NewZMQ("tcp://127.0.0.1:0", "t", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if _, err := NewZMQ("tcp://"+z.Publisher().Addr().String(), "t", 10); err == nil {
		t.Error("second bind on the same port succeeded")
	}
	if _, err := NewZMQ("bogus://x", "t", 10); err == nil {
		t.Error("unknown transport accepted")
	}
}
