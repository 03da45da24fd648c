package cloud

import (
	"fmt"
	"reflect"
)

// set fills a request parameter field as cloudflare-go's F does: its Value,
// and Present so that it is sent. The fields' type, param.Field[T], is in
// an internal package of the SDK and F in its root package, which links
// every Cloudflare service; Value and Present are exported, but a type that
// cannot be named cannot be built in a literal or constrained by generics,
// so they are set through reflection. field must point to a parameter field
// whose Value has exactly v's type; anything else is a programming error
// and panics on the first run of the call site.
func set[T any](field any, v T) {
	want := reflect.TypeFor[T]()
	f := reflect.ValueOf(field)
	if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct {
		value, present := f.Elem().FieldByName("Value"), f.Elem().FieldByName("Present")
		if value.IsValid() && value.Type() == want && present.IsValid() && present.Kind() == reflect.Bool {
			value.Set(reflect.ValueOf(&v).Elem())
			present.SetBool(true)
			return
		}
	}
	panic(fmt.Sprintf("cloud: %T is not a pointer to a parameter field of %v", field, want))
}
