package excel

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// excelize's Rows iterator gives each cell as text, formatted by the
// cell's number format, and says nothing of its type. So that the text
// tells the type, typedFormats rewrites the number format of every cell
// style of the opened workbook (in memory only; the file is never
// written): a date format becomes ISO 8601 (dateOnly or dateTime), a time
// of day timeOfDay, and every other format "@", which leaves a number's
// digits as excelize reads them (up to 15 significant digits, Excel's own
// precision) instead of rounding them to the display.
const (
	dateOnly  = "yyyy-mm-dd"
	dateTime  = "yyyy-mm-dd hh:mm:ss.000"
	timeOfDay = "hh:mm:ss"
	plain     = "@"
)

type formatKind int

const (
	numberFormat formatKind = iota
	dateFormat
	dateTimeFormat
	timeFormat
)

// typedFormats rewrites the workbook's cell styles' number formats (see
// above).
func typedFormats(wb *excelize.File) error {
	if _, err := wb.GetStyle(0); err != nil { // loads the style sheet
		return err
	}
	if wb.Styles == nil || wb.Styles.CellXfs == nil {
		return nil
	}
	n := len(wb.Styles.CellXfs.Xf)
	kinds := make([]formatKind, n)
	for i := range n {
		st, err := wb.GetStyle(i)
		if err != nil {
			return err
		}
		kinds[i] = kindOf(st)
	}
	ids := map[formatKind]int{}
	for k, code := range map[formatKind]string{numberFormat: plain, dateFormat: dateOnly, dateTimeFormat: dateTime, timeFormat: timeOfDay} {
		code := code
		s, err := wb.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		ids[k] = *wb.Styles.CellXfs.Xf[s].NumFmtID
	}
	for i, k := range kinds {
		id := ids[k]
		wb.Styles.CellXfs.Xf[i].NumFmtID = &id
	}
	return nil
}

// kindOf classifies a style's number format.
func kindOf(st *excelize.Style) formatKind {
	if st.CustomNumFmt != nil {
		return kindOfCode(*st.CustomNumFmt)
	}
	switch id := st.NumFmt; {
	case id == 22:
		return dateTimeFormat
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return dateFormat
	case id >= 18 && id <= 21, id == 32, id == 33, id >= 45 && id <= 47:
		return timeFormat
	}
	return numberFormat
}

// kindOfCode classifies a number format code by its date and time tokens,
// outside quoted text, escaped characters, padding and [colour]/[$locale]
// brackets (an elapsed-time bracket such as [h] counts as time).
func kindOfCode(code string) formatKind {
	code = strings.SplitN(code, ";", 2)[0] // the positive section decides
	var date, clock bool
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++ // the next character is literal (or a padding/fill character)
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return numberFormat
			}
			switch strings.ToLower(strings.Trim(code[i+1:i+j], "hms")) {
			case "":
				clock = true // [h], [mm], [ss]: elapsed time
			}
			i += j
		default:
			switch c | 0x20 { // lower case
			case 'y', 'd':
				date = true
			case 'h', 's':
				clock = true
			case 'm':
				// Minutes after an hour or before seconds, else months; a
				// time format with only m is minutes in practice when it
				// sits next to h or s, which the check below settles.
				date = date || !strings.ContainsAny(strings.ToLower(code), "hs")
			case 'a':
				if strings.HasPrefix(strings.ToUpper(code[i:]), "AM/PM") {
					clock, i = true, i+4
				} else if strings.HasPrefix(strings.ToUpper(code[i:]), "A/P") {
					clock, i = true, i+2
				}
			}
		}
	}
	switch {
	case date && clock:
		return dateTimeFormat
	case date:
		return dateFormat
	case clock:
		return timeFormat
	}
	return numberFormat
}
