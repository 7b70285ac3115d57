package telemetry

import (
	"context"
	"errors"
	"fmt"

	"github.com/moniker-svc/moniker/internal/zmq"
)

// ZMQ publishes each event on a bound PUB socket as ONE frame
// "<topic> <json>", upstream's wire format: its Python subscriber
// receives a single string and splits off the topic at the first space,
// and a subscription to the topic matches by prefix. (The issue's "topic
// frame then JSON" would be two frames, which that subscriber cannot
// read.)
type ZMQ struct {
	pub   *zmq.Publisher
	topic string
	enc   encoder
}

// NewZMQ binds a PUB socket on endpoint. hwm bounds each subscriber's
// queue of unsent messages; beyond it that subscriber's messages are
// dropped. A subscriber receives only what is published after it
// connected and subscribed (PUB semantics).
func NewZMQ(endpoint, topic string, hwm int) (*ZMQ, error) {
	pub, err := zmq.Listen(endpoint, hwm)
	if err != nil {
		return nil, err
	}
	return &ZMQ{pub: pub, topic: topic}, nil
}

// Publisher is the socket (its address, its subscribers).
func (z *ZMQ) Publisher() *zmq.Publisher { return z.pub }

// Write publishes one message per event. The messages of a batch share
// one buffer, which the socket keeps until they are sent.
func (z *ZMQ) Write(ctx context.Context, events []Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	buf := make([]byte, 0, len(events)*(len(z.topic)+700))
	var errs []error
	for i := range events {
		start := len(buf)
		buf = append(buf, z.topic...)
		buf = append(buf, ' ')
		buf = z.enc.append(buf, &events[i])
		// Capped, so nothing appended to the message can reach the
		// next one in the shared buffer.
		if _, err := z.pub.Send(buf[start:len(buf):len(buf)]); err != nil && len(errs) < 3 {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("zmq sink: %w", errors.Join(errs...))
	}
	return nil
}

// Close closes the socket, after sending what is queued (zmq.Linger at
// most).
func (z *ZMQ) Close() error { return z.pub.Close() }
