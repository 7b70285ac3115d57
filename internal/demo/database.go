package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DatabaseFile is the demo's SQLite database inside the data folder: the
// demo catalog's sqlite bindings (prices.equity, rates.curves,
// reference.classifications/gics, reference.currencies) name it by this
// relative path, which the sqlite adapter resolves against the catalog's
// folder.
const DatabaseFile = "demo.sqlite"

// The demo's generated data: made-up numbers, the same on every machine
// (one seeded PRNG, read in a fixed order), over fixed calendars, so the
// monikers the README quotes keep returning the rows it shows.
var (
	equityFrom = day(2025, 7, 1)
	equityTo   = day(2026, 1, 30)
	curveFrom  = day(2025, 12, 1)
	curveTo    = day(2026, 1, 30)
	seed       = [2]uint64{0x6d6f6e696b6572, 2026} // "moniker", 2026
)

// usHolidays are the NYSE holidays inside the equity calendar.
var usHolidays = map[time.Time]bool{
	day(2025, 7, 4): true, day(2025, 9, 1): true, day(2025, 11, 27): true,
	day(2025, 12, 25): true, day(2026, 1, 1): true, day(2026, 1, 19): true,
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// businessDays lists the weekdays from..to (inclusive) that are not in
// holidays.
func businessDays(from, to time.Time, holidays map[time.Time]bool) []time.Time {
	var out []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !holidays[d] {
			out = append(out, d)
		}
	}
	return out
}

// writeDatabase creates the demo database at path (a new or empty file)
// and fills it.
func writeDatabase(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, st := range schema {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("%.40s...: %w", st, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed[0], seed[1]))
	for _, fill := range []func(context.Context, *sql.Tx, *rand.Rand) error{equityPrices, zeroCurves, gics, currencies} {
		if err := fill(ctx, tx, rng); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return db.Close()
}

// schema creates the tables. Dates are ISO text in DATE columns and
// decimals NUMERIC (DECIMAL) columns, so the sqlite adapter types them
// date and decimal.
var schema = []string{
	`CREATE TABLE equity_prices (
		ticker     VARCHAR(10) NOT NULL,
		trade_date DATE        NOT NULL,
		open       DECIMAL(12,4),
		high       DECIMAL(12,4),
		low        DECIMAL(12,4),
		close      DECIMAL(12,4),
		adj_close  DECIMAL(12,4),
		volume     INTEGER,
		dividend   DECIMAL(8,4),
		PRIMARY KEY (ticker, trade_date))`,
	`CREATE TABLE zero_curves (
		currency        CHAR(3)    NOT NULL,
		curve_date      DATE       NOT NULL,
		tenor           VARCHAR(4) NOT NULL,
		tenor_days      INTEGER    NOT NULL,
		zero_rate       DECIMAL(9,6),
		discount_factor REAL,
		PRIMARY KEY (currency, curve_date, tenor))`,
	`CREATE TABLE gics (
		code           VARCHAR(8) PRIMARY KEY,
		level          VARCHAR(16) NOT NULL,
		sector         TEXT NOT NULL,
		industry_group TEXT,
		industry       TEXT,
		sub_industry   TEXT)`,
	`CREATE TABLE currencies (
		code         CHAR(3) PRIMARY KEY,
		numeric_code INTEGER NOT NULL,
		name         TEXT NOT NULL,
		minor_units  INTEGER,
		country      TEXT)`,
}

// equity is one listed share of the price table: its first close, daily
// volatility, typical volume, and quarterly dividend (0: none).
type equity struct {
	ticker   string
	price    float64
	vol      float64
	volume   float64
	dividend float64
	exOffset int // the trading day of the first ex-dividend date
}

var equities = []equity{
	{"AAPL", 207.80, 0.016, 52e6, 0.26, 28},
	{"AMZN", 219.40, 0.019, 41e6, 0, 0},
	{"CVX", 156.10, 0.014, 8e6, 1.71, 31},
	{"DIS", 112.30, 0.015, 9e6, 0.50, 55},
	{"GOOGL", 178.60, 0.018, 30e6, 0.21, 40},
	{"HD", 372.50, 0.013, 3.5e6, 2.30, 52},
	{"JNJ", 154.90, 0.010, 7e6, 1.30, 50},
	{"JPM", 288.20, 0.014, 9e6, 1.50, 22},
	{"KO", 70.40, 0.009, 14e6, 0.51, 45},
	{"MA", 561.00, 0.013, 2.8e6, 0.76, 26},
	{"META", 719.00, 0.022, 12e6, 0.525, 38},
	{"MSFT", 495.90, 0.014, 19e6, 0.83, 33},
	{"NFLX", 1302.00, 0.021, 3.4e6, 0, 0},
	{"NVDA", 157.20, 0.028, 190e6, 0.01, 44},
	{"PEP", 132.00, 0.011, 7e6, 1.4225, 36},
	{"PG", 159.40, 0.009, 6.5e6, 1.0568, 15},
	{"UNH", 311.50, 0.021, 11e6, 2.21, 27},
	{"V", 352.10, 0.012, 6e6, 0.59, 30},
	{"WMT", 97.80, 0.011, 15e6, 0.235, 47},
	{"XOM", 107.60, 0.014, 15e6, 0.99, 35},
}

// equityPrices fills equity_prices: a random walk of closes per share
// over the NYSE calendar, with opens, highs and lows around them, volumes,
// a dividend on each ex-dividend day (NULL on the others) and closes
// adjusted for the dividends that follow.
func equityPrices(ctx context.Context, tx *sql.Tx, rng *rand.Rand) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO equity_prices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	days := businessDays(equityFrom, equityTo, usHolidays)
	type bar struct {
		open, high, low, close float64
		volume                 int64
		dividend               float64
	}
	bars := make([]bar, len(days))
	for _, e := range equities {
		prev := e.price
		for i := range days {
			ret := e.vol*rng.NormFloat64() + 0.0003
			open := prev * (1 + e.vol*0.3*rng.NormFloat64())
			cl := prev * math.Exp(ret)
			hi := math.Max(open, cl) * (1 + e.vol*0.4*math.Abs(rng.NormFloat64()))
			lo := math.Min(open, cl) * (1 - e.vol*0.4*math.Abs(rng.NormFloat64()))
			b := bar{open: cents(open), high: cents(hi), low: cents(lo), close: cents(cl),
				volume: int64(e.volume * math.Exp(0.35*rng.NormFloat64()))}
			if e.dividend > 0 && i >= e.exOffset && (i-e.exOffset)%63 == 0 {
				b.dividend = e.dividend
			}
			bars[i] = b
			prev = cl
		}
		// The adjustment factor of a day multiplies (1 - dividend / the
		// previous close) over every later ex-dividend day.
		factor := 1.0
		adj := make([]float64, len(days))
		for i := len(days) - 1; i >= 0; i-- {
			adj[i] = bars[i].close * factor
			if bars[i].dividend > 0 && i > 0 {
				factor *= 1 - bars[i].dividend/bars[i-1].close
			}
		}
		for i, d := range days {
			b := bars[i]
			var div any
			if b.dividend > 0 {
				div = strconv.FormatFloat(b.dividend, 'f', 4, 64)
			}
			if _, err := st.ExecContext(ctx, e.ticker, d.Format(time.DateOnly), dec(b.open, 2), dec(b.high, 2), dec(b.low, 2),
				dec(b.close, 2), dec(adj[i], 4), b.volume, div); err != nil {
				return fmt.Errorf("equity_prices: %w", err)
			}
		}
	}
	return nil
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }

// dec is x as decimal text with n decimals.
func dec(x float64, n int) string { return strconv.FormatFloat(x, 'f', n, 64) }

// curve is one currency's Nelson-Siegel parameters on the first day.
type curve struct {
	currency                string
	level, slope, hump, tau float64
}

var curves = []curve{
	{"CHF", 0.0085, -0.0075, -0.0010, 2.0},
	{"EUR", 0.0275, -0.0068, -0.0040, 1.9},
	{"GBP", 0.0445, -0.0030, -0.0052, 1.6},
	{"JPY", 0.0195, -0.0138, -0.0021, 2.4},
	{"USD", 0.0442, -0.0048, -0.0061, 1.8},
}

var tenors = []struct {
	name string
	days int
}{
	{"1M", 30}, {"3M", 91}, {"6M", 182}, {"1Y", 365}, {"2Y", 730}, {"3Y", 1095},
	{"5Y", 1826}, {"7Y", 2557}, {"10Y", 3652}, {"20Y", 7305}, {"30Y", 10957},
}

// zeroCurves fills zero_curves: for each currency and weekday, the
// Nelson-Siegel zero rate of every tenor (level and slope moving day by
// day) and its continuously compounded discount factor.
func zeroCurves(ctx context.Context, tx *sql.Tx, rng *rand.Rand) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO zero_curves VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	days := businessDays(curveFrom, curveTo, map[time.Time]bool{day(2025, 12, 25): true, day(2026, 1, 1): true})
	for _, c := range curves {
		level, slope := c.level, c.slope
		for _, d := range days {
			for _, t := range tenors {
				years := float64(t.days) / 365
				x := years / c.tau
				load := (1 - math.Exp(-x)) / x
				rate := level + slope*load + c.hump*(load-math.Exp(-x))
				rate = math.Round(rate*1e6) / 1e6
				df := math.Round(math.Exp(-rate*years)*1e10) / 1e10
				if _, err := st.ExecContext(ctx, c.currency, d.Format(time.DateOnly), t.name, t.days, dec(rate, 6), df); err != nil {
					return fmt.Errorf("zero_curves: %w", err)
				}
			}
			level += 0.0004 * rng.NormFloat64()
			slope += 0.0003 * rng.NormFloat64()
		}
	}
	return nil
}

// gicsRows are the eleven GICS sectors with their industry groups, and the
// industries and sub-industries of Energy and Information Technology. A
// row names the levels down to its own; the deeper ones are NULL.
var gicsRows = [][]string{
	{"10", "Energy"},
	{"1010", "Energy", "Energy"},
	{"101010", "Energy", "Energy", "Energy Equipment & Services"},
	{"10101010", "Energy", "Energy", "Energy Equipment & Services", "Oil & Gas Drilling"},
	{"10101020", "Energy", "Energy", "Energy Equipment & Services", "Oil & Gas Equipment & Services"},
	{"101020", "Energy", "Energy", "Oil, Gas & Consumable Fuels"},
	{"10102010", "Energy", "Energy", "Oil, Gas & Consumable Fuels", "Integrated Oil & Gas"},
	{"10102020", "Energy", "Energy", "Oil, Gas & Consumable Fuels", "Oil & Gas Exploration & Production"},
	{"10102030", "Energy", "Energy", "Oil, Gas & Consumable Fuels", "Oil & Gas Refining & Marketing"},
	{"10102040", "Energy", "Energy", "Oil, Gas & Consumable Fuels", "Oil & Gas Storage & Transportation"},
	{"10102050", "Energy", "Energy", "Oil, Gas & Consumable Fuels", "Coal & Consumable Fuels"},
	{"15", "Materials"},
	{"1510", "Materials", "Materials"},
	{"20", "Industrials"},
	{"2010", "Industrials", "Capital Goods"},
	{"2020", "Industrials", "Commercial & Professional Services"},
	{"2030", "Industrials", "Transportation"},
	{"25", "Consumer Discretionary"},
	{"2510", "Consumer Discretionary", "Automobiles & Components"},
	{"2520", "Consumer Discretionary", "Consumer Durables & Apparel"},
	{"2530", "Consumer Discretionary", "Consumer Services"},
	{"2550", "Consumer Discretionary", "Consumer Discretionary Distribution & Retail"},
	{"30", "Consumer Staples"},
	{"3010", "Consumer Staples", "Consumer Staples Distribution & Retail"},
	{"3020", "Consumer Staples", "Food, Beverage & Tobacco"},
	{"3030", "Consumer Staples", "Household & Personal Products"},
	{"35", "Health Care"},
	{"3510", "Health Care", "Health Care Equipment & Services"},
	{"3520", "Health Care", "Pharmaceuticals, Biotechnology & Life Sciences"},
	{"40", "Financials"},
	{"4010", "Financials", "Banks"},
	{"4020", "Financials", "Financial Services"},
	{"4030", "Financials", "Insurance"},
	{"45", "Information Technology"},
	{"4510", "Information Technology", "Software & Services"},
	{"451020", "Information Technology", "Software & Services", "IT Services"},
	{"45102010", "Information Technology", "Software & Services", "IT Services", "IT Consulting & Other Services"},
	{"45102030", "Information Technology", "Software & Services", "IT Services", "Internet Services & Infrastructure"},
	{"451030", "Information Technology", "Software & Services", "Software"},
	{"45103010", "Information Technology", "Software & Services", "Software", "Application Software"},
	{"45103020", "Information Technology", "Software & Services", "Software", "Systems Software"},
	{"4520", "Information Technology", "Technology Hardware & Equipment"},
	{"452010", "Information Technology", "Technology Hardware & Equipment", "Communications Equipment"},
	{"45201020", "Information Technology", "Technology Hardware & Equipment", "Communications Equipment", "Communications Equipment"},
	{"452020", "Information Technology", "Technology Hardware & Equipment", "Technology Hardware, Storage & Peripherals"},
	{"45202030", "Information Technology", "Technology Hardware & Equipment", "Technology Hardware, Storage & Peripherals", "Technology Hardware, Storage & Peripherals"},
	{"4530", "Information Technology", "Semiconductors & Semiconductor Equipment"},
	{"453010", "Information Technology", "Semiconductors & Semiconductor Equipment", "Semiconductors & Semiconductor Equipment"},
	{"45301010", "Information Technology", "Semiconductors & Semiconductor Equipment", "Semiconductors & Semiconductor Equipment", "Semiconductor Materials & Equipment"},
	{"45301020", "Information Technology", "Semiconductors & Semiconductor Equipment", "Semiconductors & Semiconductor Equipment", "Semiconductors"},
	{"50", "Communication Services"},
	{"5010", "Communication Services", "Telecommunication Services"},
	{"5020", "Communication Services", "Media & Entertainment"},
	{"55", "Utilities"},
	{"5510", "Utilities", "Utilities"},
	{"60", "Real Estate"},
	{"6010", "Real Estate", "Equity Real Estate Investment Trusts (REITs)"},
	{"6020", "Real Estate", "Real Estate Management & Development"},
}

var gicsLevels = []string{"", "sector", "industry_group", "industry", "sub_industry"}

func gics(ctx context.Context, tx *sql.Tx, _ *rand.Rand) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO gics VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range gicsRows {
		args := []any{r[0], gicsLevels[len(r)-1], nil, nil, nil, nil}
		for i, name := range r[1:] {
			args[2+i] = name
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("gics: %w", err)
		}
	}
	return nil
}

// currencyRows are ISO 4217 currencies: code, numeric code, name, minor
// units (-1: not applicable, NULL) and the country ("": none, NULL).
var currencyRows = []struct {
	code    string
	numeric int
	name    string
	minor   int
	country string
}{
	{"AUD", 36, "Australian Dollar", 2, "Australia"},
	{"BHD", 48, "Bahraini Dinar", 3, "Bahrain"},
	{"BRL", 986, "Brazilian Real", 2, "Brazil"},
	{"CAD", 124, "Canadian Dollar", 2, "Canada"},
	{"CHF", 756, "Swiss Franc", 2, "Switzerland"},
	{"CLF", 990, "Unidad de Fomento", 4, "Chile"},
	{"CLP", 152, "Chilean Peso", 0, "Chile"},
	{"CNY", 156, "Yuan Renminbi", 2, "China"},
	{"CZK", 203, "Czech Koruna", 2, "Czechia"},
	{"DKK", 208, "Danish Krone", 2, "Denmark"},
	{"EUR", 978, "Euro", 2, ""},
	{"GBP", 826, "Pound Sterling", 2, "United Kingdom"},
	{"HKD", 344, "Hong Kong Dollar", 2, "Hong Kong"},
	{"HUF", 348, "Forint", 2, "Hungary"},
	{"INR", 356, "Indian Rupee", 2, "India"},
	{"ISK", 352, "Iceland Krona", 0, "Iceland"},
	{"JPY", 392, "Yen", 0, "Japan"},
	{"KRW", 410, "Won", 0, "Korea, Republic of"},
	{"KWD", 414, "Kuwaiti Dinar", 3, "Kuwait"},
	{"MXN", 484, "Mexican Peso", 2, "Mexico"},
	{"NOK", 578, "Norwegian Krone", 2, "Norway"},
	{"NZD", 554, "New Zealand Dollar", 2, "New Zealand"},
	{"PLN", 985, "Zloty", 2, "Poland"},
	{"SEK", 752, "Swedish Krona", 2, "Sweden"},
	{"SGD", 702, "Singapore Dollar", 2, "Singapore"},
	{"USD", 840, "US Dollar", 2, "United States of America"},
	{"XAG", 961, "Silver", -1, ""},
	{"XAU", 959, "Gold", -1, ""},
	{"XDR", 960, "SDR (Special Drawing Right)", -1, ""},
	{"ZAR", 710, "Rand", 2, "South Africa"},
}

func currencies(ctx context.Context, tx *sql.Tx, _ *rand.Rand) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO currencies VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range currencyRows {
		var minor, country any
		if c.minor >= 0 {
			minor = c.minor
		}
		if c.country != "" {
			country = c.country
		}
		if _, err := st.ExecContext(ctx, c.code, c.numeric, c.name, minor, country); err != nil {
			return fmt.Errorf("currencies: %w", err)
		}
	}
	return nil
}
