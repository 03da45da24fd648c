package memremote_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/memremote"
	"github.com/worktime/worktime/internal/syncer/synctest"
)

func TestSuite(t *testing.T) {
	srv := memremote.New()
	synctest.Run(t, synctest.Harness{
		NewUser: func(t *testing.T) syncer.Remote {
			tok := uuid.NewString()
			srv.AddToken(uuid.NewString(), tok)
			return srv.Remote(tok)
		},
		Unauthorized: func(t *testing.T) syncer.Remote { return srv.Remote("not-a-token") },
	})
}
