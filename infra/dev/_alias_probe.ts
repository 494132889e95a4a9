import { z } from "zod"; import * as c from "@warroom/contracts"; console.log(Object.keys(c).length, typeof z)
