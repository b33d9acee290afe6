/*
 * Stageplanner shortage map (part of the stageplanner package, MIT).
 *
 * Draws the embedded payload (see maps/data.py): a choropleth of students without an
 * internship place per area, restyled for the chosen plan, sector chamber, level, measure
 * and week; institution locations; learning companies sized by supervision places and
 * coloured by utilisation; optional flow lines. Choices live in the layer control as
 * radio groups of empty layers, the week in a range control with a bar chart per week.
 */
(function () {
  "use strict";

  /* Every text a person reads comes from the embedded data (data.text, maps/data.py TEXT) in the
     map's language; numbers are formatted in the language's locale (data.numberLocale). */
  var T = {};
  var NF = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
  var NF1 = new Intl.NumberFormat(undefined, {maximumFractionDigits: 1});
  var SEQ = ["#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];
  var NEG = ["#d1e5f0", "#67a9cf", "#2166ac"];
  var POS = ["#fddbc7", "#ef8a62", "#b2182b"];
  var ZERO = "#dfe9d8";
  var DIFF_ZERO = "#f4f4f4";
  var NONE = "#ffffff";
  /* Utilisation classes: upper bound and colour (labels are made in the map's language by utilLabel). */
  var UTIL = [[0.5, "#c6dbef"], [0.8, "#6baed6"], [0.95, "#2171b5"], [Infinity, "#08306b"]];
  var NICE = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  /* A text of T with its {placeholders} filled in (values used as they are). */
  function fillIn(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m;
    });
  }
  /* The same as HTML: the text escaped, the values inserted as given (already HTML). */
  function fillHtml(text, values) { return fillIn(esc(text), values); }
  /* A column heading: its line breaks (\n in the text) as <br>. */
  function lines(text) { return esc(text).replace(/\n/g, "<br>"); }
  function pct(x) { return isFinite(x) ? fillIn(T.percent, {n: NF1.format(100 * x)}) : "–"; }
  function num(x) { return NF.format(x); }
  function pp(x) { return fillIn(T.points, {n: NF1.format(100 * x)}); }
  function utilLabel(i) {
    var lo = i > 0 ? UTIL[i - 1][0] : null, hi = UTIL[i][0];
    function p0(x) { return fillIn(T.percent, {n: NF.format(100 * x)}); }
    if (lo === null) { return "< " + p0(hi); }
    if (hi === Infinity) { return fillIn(T.util_full, {pct: p0(lo)}); }
    return fillIn(T.percent, {n: NF.format(100 * lo) + " – " + NF.format(100 * hi)});
  }
  function signed(x, fmt) { return (x > 0 ? "+" : x < 0 ? "−" : "±") + fmt(Math.abs(x)); }
  function series(v, w) { return typeof v === "number" ? v : v[w]; }

  function nice(x, integer) {
    if (!(x > 0)) { return 0; }
    var e = Math.pow(10, Math.floor(Math.log10(x)));
    var f = x / e, best = NICE[0];
    for (var i = 0; i < NICE.length; i++) {
      if (Math.abs(Math.log(NICE[i] / f)) < Math.abs(Math.log(best / f))) { best = NICE[i]; }
    }
    var t = best * e;
    return integer ? Math.max(1, Math.round(t)) : t;
  }

  /* Thresholds for a sequential scale from max (5 classes at most). */
  function seqBreaks(max, integer) {
    var out = [];
    if (!(max > 0)) { return out; }
    for (var i = 1; i < 5; i++) {
      var t = nice(max * Math.pow(i / 5, 1.6), integer);
      var last = out.length ? out[out.length - 1] : (integer ? 1 : 0);
      if (t > last && t <= max) { out.push(t); }
    }
    return out;
  }

  function divBreaks(maxAbs, integer) {
    var out = [];
    if (!(maxAbs > 0)) { return out; }
    [0.2, 0.55].forEach(function (f) {
      var t = nice(maxAbs * f, integer);
      var last = out.length ? out[out.length - 1] : (integer ? 1 : 0);
      if (t > last && t <= maxAbs) { out.push(t); }
    });
    return out;
  }

  function classOf(v, breaks) {
    var k = 0;
    while (k < breaks.length && v >= breaks[k]) { k++; }
    return k;
  }

  function seqColour(k, n) { return SEQ[n <= 1 ? 4 : Math.round(k * 4 / (n - 1))]; }

  function utilColour(u) {
    for (var i = 0; i < UTIL.length; i++) { if (u < UTIL[i][0]) { return UTIL[i][1]; } }
    return UTIL[UTIL.length - 1][1];
  }

  function svgEl(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) { el.setAttribute(k, attrs[k]); }
    return el;
  }

  function init(map, data, refs) {
    T = data.text;
    /* Numbers in the map's language (data.lang, Dutch unless English was asked for). */
    var LOCALE = data.numberLocale;
    NF = new Intl.NumberFormat(LOCALE, {maximumFractionDigits: 0});
    NF1 = new Intl.NumberFormat(LOCALE, {maximumFractionDigits: 1});
    var A = data.areaNames.length, W = data.weeks.length;
    var cache = {};
    var state = {view: data.defaultView, sector: -1, level: -1, metric: "count", week: 0};
    var holiday = new Uint8Array(W);
    Object.keys(data.holidays || {}).forEach(function (r) {
      data.holidays[r].forEach(function (w) { holiday[w] = 1; });
    });

    map.createPane("sm-flows").style.zIndex = 420;
    map.createPane("sm-companies").style.zIndex = 430;
    map.createPane("sm-labels").style.zIndex = 590;  /* under markers: a cluster covers a label, not its number */
    map.getPane("sm-labels").style.pointerEvents = "none";

    /* ---------------------------------------------------------------- numbers */

    function keep(s, l) {
      return (state.sector < 0 || s === state.sector) && (state.level < 0 || l === state.level);
    }

    function shortage(p) {
      var key = "s|" + p + "|" + state.sector + "|" + state.level;
      if (cache[key]) { return cache[key]; }
      var plan = data.plans[p];
      var year = new Float64Array(A), week = new Float64Array(W * A), weekTotal = new Float64Array(W), yearTotal = 0;
      plan.year.forEach(function (r) { if (keep(r[0], r[1])) { year[r[2]] += r[3]; yearTotal += r[3]; } });
      plan.weekly.forEach(function (r) {
        if (keep(r[1], r[2])) { week[r[0] * A + r[3]] += r[4]; weekTotal[r[0]] += r[4]; }
      });
      return (cache[key] = {year: year, week: week, weekTotal: weekTotal, yearTotal: yearTotal});
    }

    function students() {
      var key = "n|" + state.sector + "|" + state.level;
      if (cache[key]) { return cache[key]; }
      var out = new Float64Array(A), total = 0;
      data.students.forEach(function (r) { if (keep(r[0], r[1])) { out[r[2]] += r[3]; total += r[3]; } });
      out.total = total;
      return (cache[key] = out);
    }

    /* Shortage of plan p in area a for the current week (0 = whole school year). */
    function count(p, a, week) {
      var s = shortage(p);
      return week > 0 ? s.week[(week - 1) * A + a] : s.year[a];
    }

    function metric(p, a, week) {
      var c = count(p, a, week);
      if (state.metric === "count") { return c; }
      var n = students()[a];
      return n > 0 ? c / n : NaN;
    }

    function view() { return data.views[state.view]; }
    function isDiff(v) { return (v || view()).a !== undefined; }
    function mainPlan(v) { v = v || view(); return isDiff(v) ? v.b : v.plan; }

    function value(a, week) {
      var v = view();
      if (isDiff(v)) { return metric(v.b, a, week) - metric(v.a, a, week); }
      return metric(v.plan, a, week);
    }

    /* Scale shared by all weeks (and by every single-plan view), so colours compare. */
    function scale() {
      var diff = isDiff();
      var key = "k|" + (diff ? "d" + state.view : "p") + "|" + state.sector + "|" + state.level + "|" +
        state.metric + "|" + (state.week > 0 ? "w" : "y");
      if (cache[key]) { return cache[key]; }
      var max = 0, weeks = state.week > 0 ? W : 1;
      var plans = data.views.filter(function (v) { return !isDiff(v); }).map(function (v) { return v.plan; });
      for (var w = 1; w <= weeks; w++) {
        var wk = state.week > 0 ? w : 0;
        for (var a = 0; a < A; a++) {
          if (diff) {
            var d = Math.abs(value(a, wk));
            if (d > max) { max = d; }
          } else {
            for (var i = 0; i < plans.length; i++) {
              var x = metric(plans[i], a, wk);
              if (x > max) { max = x; }
            }
          }
        }
      }
      var integer = state.metric === "count";
      return (cache[key] = {max: max, diff: diff, integer: integer,
                            breaks: diff ? divBreaks(max, integer) : seqBreaks(max, integer)});
    }

    function colour(a, sc) {
      if (!(students()[a] > 0)) { return NONE; }
      var v = value(a, state.week);
      if (!isFinite(v)) { return NONE; }
      if (!sc.diff) {
        return v > 0 ? seqColour(classOf(v, sc.breaks), sc.breaks.length + 1) : ZERO;
      }
      if (v === 0) { return DIFF_ZERO; }
      var k = Math.min(classOf(Math.abs(v), sc.breaks), 2);
      return v > 0 ? POS[k] : NEG[k];
    }

    function fmtValue(v) {
      if (state.metric === "count") { return isDiff() ? signed(v, num) : num(v); }
      return isDiff() ? signed(v, pp) : pct(v);
    }

    /* ---------------------------------------------------------------- captions */

    function filterCaption() {
      var parts = [];
      parts.push(state.sector < 0 ? T.all_sectors : data.sectors[state.sector][1]);
      parts.push(state.level < 0 ? T.all_levels : data.levels[state.level][1]);
      return parts.join(" · ");
    }
    function weekCaption(week) {
      if (!(week > 0)) { return T.year; }
      var caption = data.weekCaptions[week - 1];
      return holiday[week - 1] ? fillIn(T.holiday_week, {week: caption}) : caption;
    }
    function metricTitle() {
      if (state.metric === "count") { return isDiff() ? T.title_count_diff : T.title_count; }
      return isDiff() ? T.title_rate_diff : T.title_rate;
    }
    function unitText() {
      return state.metric === "count" ? T.unit_count : T.unit_rate;
    }

    /* ---------------------------------------------------------------- areas */

    var areaLayer = L.geoJSON(data.areas, {
      style: function () { return {weight: 0.7, color: "#6b6b6b", opacity: 0.8, fillOpacity: 0.8}; },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(function () { return tooltipHtml(feature.id); }, {sticky: true, className: "sm-tip"});
        layer.bindPopup(function () { return areaPopup(feature.id); }, {maxWidth: 460, className: "sm-popup"});
        layer.on("mouseover", function () { layer.setStyle({weight: 2.2, color: "#222"}); });
        layer.on("mouseout", function () { layer.setStyle({weight: 0.7, color: "#6b6b6b"}); });
      }
    });
    refs.areas.addLayer(areaLayer);
    if (areaLayer.getBounds().isValid()) {
      /* Keep the region clear of the legend (left) and the layer control (right) on wide screens. */
      var wide = map.getSize().x >= 1000;
      map.fitBounds(areaLayer.getBounds(), {animate: false, paddingTopLeft: wide ? [280, 10] : [10, 10],
                                            paddingBottomRight: wide ? [300, 10] : [10, 10]});
    }

    function restyleAreas() {
      var sc = scale(), n = students();
      areaLayer.eachLayer(function (layer) {
        var a = layer.feature.id, fill = colour(a, sc);
        var tiles = map.hasLayer(refs.tiles);
        layer.setStyle({fillColor: fill, fillOpacity: n[a] > 0 ? (tiles ? 0.62 : 0.82) : (tiles ? 0.08 : 0.35)});
        if (layer._path) { layer._path.setAttribute("data-fill", fill); }
      });
    }

    function tooltipHtml(a) {
      var n = students()[a];
      var head = "<b>" + esc(data.areaNames[a]) + "</b><br>";
      if (!(n > 0)) { return head + esc(T.no_students); }
      return head + fmtValue(value(a, state.week)) + " " +
        (state.metric === "count" ? esc(T.unit_count) : "") + " · " + esc(weekCaption(state.week));
    }

    function areaPopup(a) {
      var v = view(), n = students()[a];
      var plans = data.plans.map(function (p, i) { return i; });
      var h = "<div class='sm-pop'><h4>" + esc(data.areaNames[a]) + "</h4>";
      h += "<div class='sm-sub'>" + esc(filterCaption()) + " · " + esc(weekCaption(state.week)) + "</div>";
      var wk = state.week > 0;
      h += "<table><tr><th></th>" + (wk ? "<th>" + lines(T.col_unplaced_week) + "</th>" : "") +
        "<th>" + lines(T.col_unplaced_year) + "</th><th>" + lines(T.col_rate_year) + "</th></tr>";
      plans.forEach(function (p) {
        var y = count(p, a, 0);
        h += "<tr><td>" + esc(data.plans[p].label) + "</td>" + (wk ? "<td class='n'>" + num(count(p, a, state.week)) + "</td>" : "") +
          "<td class='n'>" + num(y) + "</td><td class='n'>" + (n > 0 ? pct(y / n) : "–") + "</td></tr>";
      });
      if (isDiff(v)) {
        var dw = count(v.b, a, state.week) - count(v.a, a, state.week), dy = count(v.b, a, 0) - count(v.a, a, 0);
        h += "<tr class='sm-diff'><td>" + esc(T.difference) + "</td>" + (wk ? "<td class='n'>" + signed(dw, num) + "</td>" : "") +
          "<td class='n'>" + signed(dy, num) + "</td><td class='n'>" + (n > 0 ? signed(dy / n, pp) : "–") + "</td></tr>";
      }
      h += "</table><div class='sm-sub'>" + fillHtml(T.area_students, {n: num(n), filter: esc(filterCaption())}) +
        "</div>";
      /* Breakdown per sector chamber and level, whole school year. */
      var rows = [];
      data.sectors.forEach(function (sec, s) {
        if (state.sector >= 0 && s !== state.sector) { return; }
        var st = 0, un = data.plans.map(function () { return 0; });
        data.students.forEach(function (r) {
          if (r[0] === s && r[2] === a && (state.level < 0 || r[1] === state.level)) { st += r[3]; }
        });
        data.plans.forEach(function (p, i) {
          p.year.forEach(function (r) {
            if (r[0] === s && r[2] === a && (state.level < 0 || r[1] === state.level)) { un[i] += r[3]; }
          });
        });
        if (st > 0) { rows.push([sec[1], st, un]); }
      });
      if (rows.length) {
        h += "<table class='sm-break'><tr><th>" + esc(T.col_sector_year) + "</th><th>" + esc(T.col_students) + "</th>";
        data.plans.forEach(function (p) { h += "<th>" + esc(p.label.split(" (")[0]) + "</th>"; });
        h += "</tr>";
        rows.forEach(function (r) {
          h += "<tr><td>" + esc(r[0]) + "</td><td class='n'>" + num(r[1]) + "</td>";
          r[2].forEach(function (u) { h += "<td class='n'>" + num(u) + "</td>"; });
          h += "</tr>";
        });
        h += "</table>";
      }
      return h + qualificationTable(a) + "</div>";
    }

    /* Breakdown per qualification (crebo) with shortage in the area, whole school year, most first. */
    function qualificationTable(a) {
      var q = data.qualifications, byQ = {};
      function row(k) { return byQ[k] || (byQ[k] = {n: 0, un: data.plans.map(function () { return 0; })}); }
      q.students.forEach(function (r) { if (r[3] === a && keep(r[1], r[2])) { row(r[0]).n += r[4]; } });
      q.unplaced.forEach(function (rows, i) {
        rows.forEach(function (r) { if (r[3] === a && keep(r[1], r[2])) { row(r[0]).un[i] += r[4]; } });
      });
      var rows = Object.keys(byQ).map(function (k) { return [Number(k), byQ[k]]; })
        .filter(function (r) { return Math.max.apply(null, r[1].un) > 0; })
        .sort(function (x, y) { return Math.max.apply(null, y[1].un) - Math.max.apply(null, x[1].un) || x[0] - y[0]; });
      if (!rows.length) { return ""; }
      var h = "<table class='sm-break'><tr><th>" + esc(T.col_qualification_year) + "</th><th>" + esc(T.col_students) + "</th>";
      data.plans.forEach(function (p) { h += "<th>" + esc(p.label.split(" (")[0]) + "</th>"; });
      h += "</tr>";
      rows.slice(0, 8).forEach(function (r) {
        var name = q.names[r[0]];
        h += "<tr><td>" + esc(name[1]) + "<br><span class='sm-sub'>" + esc(name[0]) + "</span></td><td class='n'>" +
          num(r[1].n) + "</td>";
        r[1].un.forEach(function (u) { h += "<td class='n'>" + num(u) + "</td>"; });
        h += "</tr>";
      });
      h += "</table>";
      if (rows.length > 8) { h += "<div class='sm-sub'>" + fillHtml(T.more_qualifications, {n: num(rows.length - 8)}) + "</div>"; }
      return h;
    }

    /* ---------------------------------------------------------------- labels */

    var labelLayer = L.layerGroup();
    var labelMarkers = [];
    var majorLabels = 0;
    (function () {
      var has = new Uint8Array(A);
      data.students.forEach(function (r) { has[r[2]] = 1; });
      for (var a = 0; a < A; a++) {
        majorLabels += has[a];
        var m = L.marker(data.areaCenters[a], {pane: "sm-labels", interactive: false, keyboard: false,
          icon: L.divIcon({className: has[a] ? "sm-label" : "sm-label sm-minor", iconSize: null,
                           html: "<span>" + esc(data.areaNames[a]) + "</span>"})});
        m._smArea = a;
        if (has[a]) { labelMarkers.push(m); }
        labelLayer.addLayer(m);
      }
    })();
    refs.areas.addLayer(labelLayer);

    function relabel() {
      labelMarkers.forEach(function (m) {
        var a = m._smArea, v = students()[a] > 0 ? value(a, state.week) : NaN;
        var txt = esc(data.areaNames[a]);
        if (isFinite(v) && v !== 0) { txt = "<b>" + fmtValue(v) + "</b> " + txt; }
        txt = "<span>" + txt + "</span>";
        var el = m.getElement();
        if (el) { el.innerHTML = txt; } else { m.options.icon.options.html = txt; }
      });
    }
    function zoomClass() {
      var c = map.getContainer(), z = map.getZoom();
      c.classList.toggle("sm-labels-off", z < (majorLabels > 60 ? 9.5 : 7));
      c.classList.toggle("sm-minor-off", z < (A > 150 ? 11 : 9.5));
      c.classList.toggle("sm-small-icons", z < 8.5);
    }
    map.on("zoomend", zoomClass);

    /* ---------------------------------------------------------------- institutions */

    var instSvg = "<svg viewBox='0 0 24 24' width='22' height='22'><rect x='1' y='1' width='22' height='22' rx='4' " +
        "fill='#1d3557' stroke='#fff' stroke-width='2'/><path d='M5 11 L12 6 L19 11 Z M7 12 h2 v6 h-2 Z " +
        "M11 12 h2 v6 h-2 Z M15 12 h2 v6 h-2 Z M5 19 h14 v1.5 h-14 Z' fill='#fff'/></svg>";
    data.institutions.forEach(function (inst) {
      /* Locations in one place stand in a row centred on the place (offset in pixels, any zoom). */
      var dx = (inst.slot - (inst.slots - 1) / 2) * 23;
      var icon = L.divIcon({className: "sm-inst", iconSize: [22, 22], iconAnchor: [11 - dx, 11], html: instSvg});
      var m = L.marker([inst.lat, inst.lon], {icon: icon, title: inst.institution + " – " + inst.location,
                                              riseOnHover: true, zIndexOffset: 1000});
      m.bindPopup(function () { return institutionPopup(inst); }, {maxWidth: 460, className: "sm-popup"});
      refs.institutions.addLayer(m);
    });

    function institutionPopup(inst) {
      var h = "<div class='sm-pop'><h4>" + esc(inst.institution) + "</h4><div class='sm-sub'>" +
        fillHtml(T.location, {id: esc(inst.location)}) + " · " + esc(data.areaNames[inst.area]) + "</div><table>";
      h += "<tr><td>" + esc(T.cohorts) + "</td><td class='n'>" + num(inst.cohorts) + "</td></tr>";
      h += "<tr><td>" + esc(T.bol_students) + "</td><td class='n'>" + num(inst.students) + "</td></tr>";
      if (inst.bbl) { h += "<tr><td>" + esc(T.bbl_students) + "</td><td class='n'>" + num(inst.bbl) + "</td></tr>"; }
      data.plans.forEach(function (p, i) {
        h += "<tr><td>" + fillHtml(T.unplaced_plan, {plan: esc(p.label)}) + "</td><td class='n'>" + num(inst.unplaced[i]) +
          (inst.students ? " (" + pct(inst.unplaced[i] / inst.students) + ")" : "") + "</td></tr>";
      });
      h += "</table>";
      if (inst.short.length) {
        h += "<table class='sm-break'><tr><th>" + esc(T.col_programme) + "</th><th>" + esc(T.col_level) + "</th><th>" +
          esc(T.col_stud) + "</th>";
        data.plans.forEach(function (p) { h += "<th>" + esc(p.label.split(" (")[0]) + "</th>"; });
        h += "</tr>";
        inst.short.forEach(function (r) {
          var sector = data.sectors.filter(function (s) { return s[0] === r[1]; })[0];
          h += "<tr><td>" + esc(r[0]) + "<br><span class='sm-sub'>" + esc(sector ? sector[1] : r[1]) + "</span></td><td>" +
            esc(r[2]) + "</td><td class='n'>" + num(r[3]) + "</td>";
          r[4].forEach(function (u) { h += "<td class='n'>" + num(u) + "</td>"; });
          h += "</tr>";
        });
        h += "</table>";
        if (inst.shortMore) { h += "<div class='sm-sub'>" + fillHtml(T.more_programmes, {n: num(inst.shortMore)}) + "</div>"; }
      }
      return h + "</div>";
    }

    /* ---------------------------------------------------------------- companies */

    var co = data.companies;
    var coMarkers = [];
    var maxPlaces = 1;
    co.items.forEach(function (it) { maxPlaces = Math.max(maxPlaces, co.aggregated ? it[4] : it[5]); });

    /* Utilisation (0..1) of company item j in the current week, or its peak over the year. */
    function utilisation(j, p, week) {
      var cap = co.cap[j], used = co.used[p][j];
      if (week > 0) {
        var c = series(cap, week - 1);
        return c > 0 ? (used === 0 ? 0 : series(used, week - 1)) / c : 0;
      }
      var peak = 0;
      for (var w = 0; w < W; w++) {
        var cw = series(cap, w);
        if (cw > 0 && used !== 0) { peak = Math.max(peak, series(used, w) / cw); }
      }
      return peak;
    }

    function usageStats(j, p) {
      var cap = co.cap[j], used = co.used[p][j], sc = 0, su = 0, peak = 0, peakW = -1;
      for (var w = 0; w < W; w++) {
        var c = series(cap, w), u = used === 0 ? 0 : series(used, w);
        sc += c; su += u;
        if (c > 0 && u / c > peak) { peak = u / c; peakW = w; }
      }
      return {mean: sc > 0 ? su / sc : 0, peak: peak, peakWeek: peakW};
    }

    function sparkline(j, p) {
      var cap = co.cap[j], used = co.used[p][j], max = 0, w;
      for (w = 0; w < W; w++) { max = Math.max(max, series(cap, w)); }
      if (!max) { return ""; }
      var bw = 4, h = 34, s = "<svg class='sm-spark' width='" + (W * bw) + "' height='" + h + "'>";
      for (w = 0; w < W; w++) {
        var c = series(cap, w), u = used === 0 ? 0 : series(used, w);
        var hc = Math.round((h - 2) * c / max), hu = Math.round((h - 2) * u / max);
        s += "<rect x='" + (w * bw) + "' y='" + (h - hc) + "' width='" + (bw - 1) + "' height='" + hc + "' fill='#dde6ee'/>";
        if (hu) {
          s += "<rect x='" + (w * bw) + "' y='" + (h - hu) + "' width='" + (bw - 1) + "' height='" + hu + "' fill='" +
            utilColour(c ? u / c : 1) + "'/>";
        }
        if (state.week === w + 1) {
          s += "<rect x='" + (w * bw) + "' y='0' width='" + (bw - 1) + "' height='" + h + "' fill='none' stroke='#d7301f'/>";
        }
      }
      return s + "</svg><div class='sm-sub'>" + fillHtml(T.spark, {plan: esc(data.plans[p].label)}) + "</div>";
    }

    function usageRows(j) {
      var h = "";
      data.plans.forEach(function (p, i) {
        var st = usageStats(j, i);
        h += "<tr><td>" + esc(p.label) + "</td><td class='n'>" + fillHtml(T.usage, {mean: pct(st.mean), peak: pct(st.peak)}) +
          (st.peakWeek >= 0 && st.peak > 0 ? " " + fillHtml(T.peak_week, {week: data.weeks[st.peakWeek].slice(-2)}) : "") +
          "</td></tr>";
        if (state.week > 0) {
          var c = series(co.cap[j], state.week - 1), u = co.used[i][j] === 0 ? 0 : series(co.used[i][j], state.week - 1);
          h += "<tr><td>&nbsp;&nbsp;" + esc(weekCaption(state.week)) + "</td><td class='n'>" +
            fillHtml(T.week_places, {used: NF1.format(u / 5), places: NF1.format(c / 5), pct: pct(c ? u / c : 0)}) + "</td></tr>";
        }
      });
      return h;
    }

    function maskNames(mask, list) {
      var out = [];
      list.forEach(function (x, i) { if (mask & (1 << i)) { out.push(x[1]); } });
      return out;
    }

    function companyPopup(j) {
      var it = co.items[j];
      var h = "<div class='sm-pop'><h4>" + esc(it[1]) + "</h4><div class='sm-sub'>" + fillHtml(T.company, {id: esc(it[0])}) +
        " · " + esc(data.areaNames[it[2]]) + "</div><table>";
      h += "<tr><td>" + esc(T.sector) + "</td><td>" + esc(maskNames(it[6], data.sectors).join(", ")) + "</td></tr>";
      h += "<tr><td>" + esc(T.levels) + "</td><td>" + esc(maskNames(it[7], data.levels).join(", ")) + "</td></tr>";
      h += "<tr><td>" + esc(T.places_per_week) + "</td><td class='n'>" + num(it[5]) + "</td></tr>";
      h += "<tr><th colspan='2'>" + esc(T.utilisation) + "</th></tr>" + usageRows(j) + "</table>";
      return h + sparkline(j, mainPlan()) + "</div>";
    }

    function areaCompanyPopup(j) {
      var it = co.items[j];
      var h = "<div class='sm-pop'><h4>" + fillHtml(T.companies_in, {area: esc(data.areaNames[it[0]])}) + "</h4><table>";
      h += "<tr><td>" + esc(T.companies) + "</td><td class='n'>" + num(it[3]) + "</td></tr>";
      h += "<tr><td>" + esc(T.places_per_week) + "</td><td class='n'>" + num(it[4]) + "</td></tr>";
      var secs = [];
      it[5].forEach(function (n, s) { if (n) { secs.push(data.sectors[s][1] + ": " + num(n)); } });
      h += "<tr><td>" + esc(T.per_sector) + "</td><td>" + esc(secs.join("; ")) + "</td></tr>";
      h += "<tr><th colspan='2'>" + esc(T.utilisation) + "</th></tr>" + usageRows(j) + "</table>";
      return h + sparkline(j, mainPlan()) + "</div>";
    }

    function companyIcon(j) {
      var it = co.items[j], d = Math.round(8 + 3 * Math.sqrt(it[5]));
      var fill = utilColour(utilisation(j, mainPlan(), state.week));
      return L.divIcon({className: "sm-co", iconSize: [d, d],
        html: "<div style='background:" + fill + "' data-fill='" + fill + "'></div>"});
    }

    var cluster = null;
    if (!co.aggregated) {
      cluster = refs.companies;
      cluster.options.showCoverageOnHover = false;
      cluster.options.maxClusterRadius = 45;
      cluster.options.iconCreateFunction = function (c) {
        var kids = c.getAllChildMarkers(), places = 0, p = mainPlan();
        var from = state.week > 0 ? state.week - 1 : 0, to = state.week > 0 ? state.week : W;
        var capW = new Float64Array(W), useW = new Float64Array(W), w;
        kids.forEach(function (m) {
          var j = m._smCo, cap = co.cap[j], used = co.used[p][j];
          places += co.items[j][5];
          for (w = from; w < to; w++) {
            capW[w] += series(cap, w);
            if (used !== 0) { useW[w] += series(used, w); }
          }
        });
        var u = 0;
        for (w = from; w < to; w++) { if (capW[w] > 0) { u = Math.max(u, useW[w] / capW[w]); } }
        var d = Math.round(Math.min(46, 14 + 2.4 * Math.sqrt(places)));
        var fill = utilColour(u);
        return L.divIcon({className: "sm-cl" + (u < 0.5 ? " sm-light" : ""), iconSize: [d, d],
          html: "<div style='background:" + fill + "' data-n='" + kids.length + "' title='" +
            esc(fillIn(T.cluster, {companies: num(kids.length), places: num(places), pct: pct(u)})) + "'><span>" +
            kids.length + "</span></div>"});
      };
      co.items.forEach(function (it, j) {
        var m = L.marker([it[3], it[4]], {icon: companyIcon(j), title: it[1], keyboard: false});
        m._smCo = j;
        m.bindPopup(function () { return companyPopup(j); }, {maxWidth: 420, className: "sm-popup"});
        coMarkers.push(m);
      });
      cluster.addLayers(coMarkers);
    } else {
      co.items.forEach(function (it, j) {
        var m = L.circleMarker([it[1], it[2]], {pane: "sm-companies", radius: 3 + 15 * Math.sqrt(it[4] / maxPlaces),
          weight: 1, color: "#fff", fillOpacity: 0.85, className: "sm-coa"});
        m._smCo = j;
        m.bindPopup(function () { return areaCompanyPopup(j); }, {maxWidth: 420, className: "sm-popup"});
        m.bindTooltip(function () {
          return esc(fillIn(T.area_companies, {area: data.areaNames[it[0]], companies: num(it[3]), places: num(it[4])}));
        });
        coMarkers.push(m);
        refs.companies.addLayer(m);
      });
    }

    var companiesDirty = true;
    function restyleCompanies() {
      if (!map.hasLayer(refs.companies)) { companiesDirty = true; return; }
      companiesDirty = false;
      if (!co.aggregated) {
        coMarkers.forEach(function (m) { m.setIcon(companyIcon(m._smCo)); });
        cluster.refreshClusters();
      } else {
        var p = mainPlan();
        coMarkers.forEach(function (m) { m.setStyle({fillColor: utilColour(utilisation(m._smCo, p, state.week))}); });
      }
    }

    /* ---------------------------------------------------------------- spots */

    /* Where one more supervision place helps most (the marginal map): a numbered circle per spot,
       sized by its estimated gain; names are escaped like every other text from the data. */
    var spotRows = data.spots || [];
    var topEstimate = 1;
    spotRows.forEach(function (s) { topEstimate = Math.max(topEstimate, s.estimate); });
    spotRows.forEach(function (s) {
      var sector = data.sectors.filter(function (x) { return x[0] === s.sector; })[0];
      var marker = L.circleMarker([s.lat, s.lon], {radius: 6 + 14 * s.estimate / topEstimate, color: "#6c3483",
        fill: true, fillOpacity: 0.6, weight: 2, className: "sm-spot"});
      marker.bindTooltip("#" + esc(s.rank));
      marker.bindPopup(fillHtml(T.spot, {rank: esc(s.rank), company: esc(s.company), area: esc(s.area),
        sector: esc(sector ? sector[1] : s.sector), level: esc(s.level), first: esc(s.first), last: esc(s.last),
        estimate: NF1.format(s.estimate), realised: s.realised === null ? "-" : NF1.format(s.realised)}) +
        (s.qualification ? "<br>" + fillHtml(T.spot_for, {qualification: esc(s.qualification)}) : ""),
        {maxWidth: 320, className: "sm-popup"});
      refs.spots.addLayer(marker);
    });

    /* ---------------------------------------------------------------- flows */

    function drawFlows() {
      refs.flows.clearLayers();
      var plan = data.plans[mainPlan()], agg = {}, max = 0;
      plan.flows.forEach(function (r) {
        if (!keep(r[2], r[3])) { return; }
        var k = r[0] + ">" + r[1];
        agg[k] = (agg[k] || 0) + r[4];
      });
      Object.keys(agg).forEach(function (k) { max = Math.max(max, agg[k]); });
      Object.keys(agg).sort(function (x, y) { return agg[x] - agg[y]; }).forEach(function (k) {
        var od = k.split(">").map(Number), n = agg[k];
        var line = L.polyline([data.areaCenters[od[0]], data.areaCenters[od[1]]], {pane: "sm-flows",
          color: "#54278f", opacity: 0.55, weight: 1 + 8 * Math.sqrt(n / max), className: "sm-flow"});
        line.bindTooltip(esc(fillIn(T.flow_tip, {from: data.areaNames[od[0]], to: data.areaNames[od[1]], n: num(n),
                                               plan: plan.label})), {sticky: true});
        refs.flows.addLayer(line);
      });
    }
    var flowsDirty = true;
    function refreshFlows() {
      if (!map.hasLayer(refs.flows)) { flowsDirty = true; return; }
      flowsDirty = false;
      drawFlows();
    }

    /* ---------------------------------------------------------------- controls */

    var Title = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var div = L.DomUtil.create("div", "sm-title leaflet-bar");
        var h = "<div class='sm-title-main'>" + esc(fillIn(T.title, {scenario: data.scenario})) + "</div>";
        data.plans.forEach(function (p) {
          h += "<div>" + fillHtml(T.title_plan, {plan: esc(p.label), n: "<b>" + num(p.unplaced) + "</b>",
                                                total: num(p.students),
                                                pct: pct(p.students ? p.unplaced / p.students : 0)}) + "</div>";
        });
        div.innerHTML = h;
        return div;
      }
    });
    new Title().addTo(map);
    L.control.scale({imperial: false, position: "bottomright"}).addTo(map);

    var legendDiv;
    var Legend = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        legendDiv = L.DomUtil.create("div", "sm-legend");
        L.DomEvent.disableClickPropagation(legendDiv);
        L.DomEvent.disableScrollPropagation(legendDiv);
        return legendDiv;
      }
    });
    new Legend().addTo(map);

    function swatch(fill, label, extra) {
      return "<div class='sm-row'><i style='background:" + fill + "'" + (extra || "") + "></i>" + label + "</div>";
    }

    /* Label of class k of a scale with thresholds b (magnitudes; the sign is added by the caller);
       unit is the text of T that puts the unit to a number or range ({n}). */
    function classLabel(k, b, integer, unit) {
      var lo = k === 0 ? null : b[k - 1], hi = k < b.length ? b[k] : null;
      if (integer) {
        if (hi === null) { return "≥ " + num(lo === null ? 1 : lo); }
        var l = lo === null ? 1 : lo;
        return hi - 1 > l ? num(l) + " – " + num(hi - 1) : num(l);
      }
      function p(x) { return NF1.format(100 * x); }
      function u(x) { return fillIn(unit, {n: x}); }
      if (hi === null) { return lo === null ? "> " + u("0") : "≥ " + u(p(lo)); }
      if (lo === null) { return fillIn(T.up_to, {n: u(p(hi))}); }
      return u(p(lo) + " – " + p(hi));
    }

    function updateLegend() {
      var sc = scale(), v = view(), h = "";
      h += "<div class='sm-legend-title'>" + esc(metricTitle()) + "</div>";
      h += "<div class='sm-sub' data-role='caption'>" + esc(v.label) + "<br>" + esc(filterCaption()) + "<br><b>" +
        esc(weekCaption(state.week)) + "</b></div>";
      var b = sc.breaks, integer = sc.integer, k;
      if (!sc.diff) {
        var n = b.length + 1;
        if (sc.max > 0) {
          for (k = n - 1; k >= 0; k--) { h += swatch(seqColour(k, n), esc(classLabel(k, b, integer, T.percent))); }
        }
        h += swatch(ZERO, esc(T.zero));
      } else {
        var unit = integer ? "{n}" : T.points;
        if (sc.max > 0) {
          for (k = b.length; k >= 0; k--) {
            h += swatch(POS[k], "+" + esc(classLabel(k, b, integer, unit)) + " (" + esc(T.more) + ")");
          }
        }
        h += swatch(DIFF_ZERO, esc(T.equal));
        if (sc.max > 0) {
          for (k = 0; k <= b.length; k++) {
            h += swatch(NEG[k], "−" + esc(classLabel(k, b, integer, unit)) + " (" + esc(T.less) + ")");
          }
        }
      }
      h += swatch(NONE, esc(T.no_students), " class='sm-none'");
      var scaleText = state.week > 0 ? (sc.diff ? T.scale_weeks : T.scale_weeks_plans)
        : (sc.diff ? T.scale_year : T.scale_year_plans);
      h += "<div class='sm-unit'>" + esc(fillIn(state.week > 0 ? T.unit_line_week : T.unit_line, {unit: unitText()})) +
        " " + esc(scaleText) + "</div>";
      var tot = totals();
      h += "<div class='sm-total' data-role='total'>" + fillHtml(T.region_total, {value: "<b>" + fmtValue(tot) + "</b>",
        unit: state.metric === "count" ? esc(T.unit_count) : ""}) + "</div>";
      if (map.hasLayer(refs.companies)) {
        h += "<div class='sm-legend-title sm-gap'>" + esc(T.utilisation) + "</div><div class='sm-sub'>" +
          fillHtml(state.week > 0 ? T.util_week : T.util_peak, {plan: esc(data.plans[mainPlan()].label)}) + "</div>";
        UTIL.forEach(function (u, i) { h += swatch(u[1], esc(utilLabel(i)), " class='sm-dot'"); });
      }
      if (map.hasLayer(refs.institutions)) {
        h += "<div class='sm-row sm-gap'><i class='sm-inst-key'></i>" + esc(T.layer_institutions) + "</div>";
      }
      if (map.hasLayer(refs.flows)) {
        h += "<div class='sm-row'><i class='sm-flow-key'></i>" +
          esc(data.plans[mainPlan()].flowsCapped ? T.flow_key_capped : T.flow_key) + "</div>";
      }
      legendDiv.innerHTML = h;
      legendDiv.setAttribute("data-week", String(state.week));
    }

    function totals() {
      var v = view();
      function one(p) {
        var s = shortage(p), c = state.week > 0 ? s.weekTotal[state.week - 1] : s.yearTotal;
        if (state.metric === "count") { return c; }
        var n = students().total;
        return n > 0 ? c / n : NaN;
      }
      return isDiff(v) ? one(v.b) - one(v.a) : one(v.plan);
    }

    /* Week control: range input, play button and a bar per week of the regional total. */
    var weekDiv, slider, weekLabel, barsSvg, playBtn, timer = null;
    var WeekControl = L.Control.extend({
      options: {position: "bottomleft"},
      onAdd: function () {
        weekDiv = L.DomUtil.create("div", "sm-week");
        L.DomEvent.disableClickPropagation(weekDiv);
        L.DomEvent.disableScrollPropagation(weekDiv);
        var top = L.DomUtil.create("div", "sm-week-top", weekDiv);
        playBtn = L.DomUtil.create("button", "sm-play", top);
        playBtn.type = "button";
        playBtn.title = T.play;
        playBtn.innerHTML = "<svg viewBox='0 0 10 10' width='10' height='10'><path d='M1 0 L9 5 L1 10 Z' fill='currentColor'/></svg>";
        slider = L.DomUtil.create("input", "sm-slider", top);
        slider.type = "range";
        slider.min = "0";
        slider.max = String(W);
        slider.step = "1";
        slider.value = "0";
        slider.setAttribute("aria-label", T.slider);
        weekLabel = L.DomUtil.create("span", "sm-week-label", top);
        barsSvg = svgEl("svg", {"class": "sm-bars", width: "322", height: "56"});
        weekDiv.appendChild(barsSvg);
        var hint = L.DomUtil.create("div", "sm-sub", weekDiv);
        hint.className = "sm-sub sm-week-hint";
        L.DomEvent.on(slider, "input", function () { setWeek(Number(slider.value)); });
        L.DomEvent.on(playBtn, "click", togglePlay);
        return weekDiv;
      }
    });
    new WeekControl().addTo(map);

    function togglePlay() {
      if (timer) { clearInterval(timer); timer = null; playBtn.classList.remove("on"); return; }
      playBtn.classList.add("on");
      if (state.week >= W) { setWeek(0); }
      timer = setInterval(function () {
        if (state.week >= W) { togglePlay(); return; }
        setWeek(state.week + 1);
      }, 700);
    }

    function drawBars() {
      while (barsSvg.firstChild) { barsSvg.removeChild(barsSvg.firstChild); }
      var width = Number(barsSvg.getAttribute("width")), h = 44, bw = width / W;
      var v = view(), main = shortage(mainPlan()).weekTotal, other = isDiff(v) ? shortage(v.a).weekTotal : null;
      var max = 1;
      for (var w = 0; w < W; w++) { max = Math.max(max, main[w], other ? other[w] : 0); }
      for (w = 0; w < W; w++) {
        if (holiday[w]) { barsSvg.appendChild(svgEl("rect", {x: w * bw, y: 0, width: bw, height: h, fill: "#ececec"})); }
        var bh = (h - 4) * main[w] / max;
        var bar = svgEl("rect", {x: w * bw + 0.5, y: h - bh, width: Math.max(1, bw - 1), height: Math.max(0, bh),
          fill: state.week === w + 1 ? "#bd0026" : "#fd8d3c", "data-week": String(w + 1)});
        barsSvg.appendChild(bar);
        var hit = svgEl("rect", {x: w * bw, y: 0, width: bw, height: h, fill: "transparent", "class": "sm-hit",
          "data-week": String(w + 1)});
        var title = svgEl("title", {});
        title.textContent = data.weekCaptions[w] + ": " + num(main[w]) + " " + T.unit_count +
          (other ? " (" + data.plans[v.a].label + ": " + num(other[w]) + ")" : "");
        hit.appendChild(title);
        hit.addEventListener("click", (function (wk) { return function () { setWeek(wk); }; })(w + 1));
        barsSvg.appendChild(hit);
      }
      for (w = 0; w < W; w++) {
        /* A tick where a month starts; the first week only if its month lasts a while. */
        if (w === 0 ? W > 2 && data.weekMonths[2] === data.weekMonths[0] : data.weekMonths[w] !== data.weekMonths[w - 1]) {
          var tick = svgEl("text", {x: w * bw + 1, y: h + 11, "font-size": "9", fill: "#666"});
          tick.textContent = data.weekMonths[w];
          barsSvg.appendChild(tick);
        }
      }
      var maxLabel = svgEl("text", {x: width - 2, y: 9, "font-size": "9", fill: "#666", "text-anchor": "end"});
      maxLabel.textContent = fillIn(T.bars_max, {n: num(max)});
      barsSvg.appendChild(maxLabel);
      weekDiv.querySelector(".sm-week-hint").textContent = fillIn(other ? T.bars_hint_line : T.bars_hint, {
        plan: data.plans[mainPlan()].label.split(" (")[0], other: other ? data.plans[v.a].label.split(" (")[0] : "",
        year: T.year});
      if (other) {
        var pts = [];
        for (w = 0; w < W; w++) { pts.push((w * bw + bw / 2).toFixed(1) + "," + (h - (h - 4) * other[w] / max).toFixed(1)); }
        barsSvg.appendChild(svgEl("polyline", {points: pts.join(" "), fill: "none", stroke: "#2166ac", "stroke-width": "1.5"}));
      }
    }

    function setWeek(week) {
      state.week = Math.max(0, Math.min(W, week | 0));
      slider.value = String(state.week);
      weekLabel.textContent = weekCaption(state.week);
      render();
    }

    /* Choices in the layer control: one empty layer per option, radio groups. */
    function choiceGroup(options, current, apply) {
      var group = {}, layers = [];
      options.forEach(function (o) {
        var layer = L.layerGroup();
        layer._smChoice = function () { apply(o[1]); };
        group[esc(o[0])] = layer;
        layers.push(layer);
        if (o[1] === current) { map.addLayer(layer); }
      });
      return group;
    }
    var groups = {};
    groups[T.group_view] = choiceGroup(data.views.map(function (v, i) { return [v.label, i]; }), state.view,
      function (i) { state.view = i; });
    groups[T.group_metric] = choiceGroup([[T.metric_count, "count"], [T.metric_rate_choice, "rate"]],
      state.metric, function (m) { state.metric = m; });
    groups[T.group_sector] = choiceGroup([[T.all_sectors, -1]].concat(data.sectorsShown.map(function (s) {
      return [data.sectors[s][1], s];
    })), -1, function (s) { state.sector = s; });
    groups[T.group_level] = choiceGroup([[T.all_levels, -1]].concat(data.levelsShown.map(function (l) {
      return [data.levels[l][1], l];
    })), -1, function (l) { state.level = l; });
    var overlays = {};
    overlays[esc(T.layer_areas)] = refs.areas;
    overlays[esc(T.layer_institutions)] = refs.institutions;
    overlays[esc(co.aggregated ? T.layer_companies_agg : T.layer_companies)] = refs.companies;
    overlays[esc(T.layer_flows)] = refs.flows;
    if (refs.spots) { overlays[esc(T.layer_spots)] = refs.spots; }
    groups[T.group_layers] = overlays;
    var bases = {};
    bases[esc(T.base_blank)] = refs.blank;
    bases[esc(T.base_osm)] = refs.tiles;
    var control = L.control.groupedLayers(bases, groups, {collapsed: false, position: "topright",
      exclusiveGroups: [T.group_view, T.group_metric, T.group_sector, T.group_level]});
    control.addTo(map);
    control.getContainer().classList.add("sm-layers");

    map.on("overlayadd", function (e) {
      if (e.layer && e.layer._smChoice) { e.layer._smChoice(); render(); return; }
      if (e.layer === refs.companies && companiesDirty) { restyleCompanies(); }
      if (e.layer === refs.flows && flowsDirty) { refreshFlows(); }
      updateLegend();
    });
    map.on("overlayremove", function (e) { if (!(e.layer && e.layer._smChoice)) { updateLegend(); } });
    map.on("baselayerchange", function () {
      map.getContainer().classList.toggle("sm-tiles", map.hasLayer(refs.tiles));
      restyleAreas();
    });

    function render() {
      restyleAreas();
      relabel();
      restyleCompanies();
      refreshFlows();
      updateLegend();
      drawBars();
      weekLabel.textContent = weekCaption(state.week);
      map.getContainer().setAttribute("data-sm-state", [state.view, state.metric, state.sector, state.level, state.week].join("|"));
    }

    render();
    zoomClass();
    map.getContainer().classList.add("sm-ready");
    var api = {
      map: map, data: data, state: state, setWeek: setWeek, render: render,
      areaLayer: areaLayer, companyMarkers: coMarkers,
      value: function (a) { return value(a, state.week); },
      total: totals
    };
    window.stageplannerMap = api;
    return api;
  }

  window.StageplannerMap = {init: init};
})();
