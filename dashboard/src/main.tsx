import { render } from "preact";
import { z } from "zod";
import { fr } from "zod/locales";
import { App } from "./app.js";

// The catalogue's checks run here too (parameter forms): their messages in French.
z.config(fr());

const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element");
render(<App />, root);
